package glint.db;

import glint.identity.CatalogRecords.Endpoint;
import glint.identity.CatalogRecords.Region;
import glint.identity.CatalogRecords.Service;
import glint.identity.CatalogStore;
import java.util.List;
import java.util.Optional;

/** The service catalog's SQL (tables {@code identity_regions}, {@code identity_services}, {@code identity_endpoints}, migration V7). */
public final class JdbcCatalogRepository implements CatalogStore {
    private final Database db;
    private final RowSql sql;
    private final RowSql.Table<Region> regionTable;
    private final RowSql.Table<Service> serviceTable;
    private final RowSql.Table<Endpoint> endpointTable;

    public JdbcCatalogRepository(Database db) {
        this.db = db;
        this.sql = new RowSql(db);
        this.regionTable = new RowSql.Table<>(sql, "SELECT id, description, parent_region_id FROM identity_regions",
                r -> new Region(r.getString(1), r.getString(2), Optional.ofNullable(r.getString(3))));
        this.serviceTable = new RowSql.Table<>(sql, "SELECT id, type, name, description, enabled FROM identity_services",
                r -> new Service(r.getString(1), r.getString(2), r.getString(3), Optional.ofNullable(r.getString(4)),
                        r.getBoolean(5)));
        this.endpointTable = new RowSql.Table<>(sql, "SELECT id, service_id, interface, region_id, url, enabled "
                + "FROM identity_endpoints", r -> new Endpoint(r.getString(1), r.getString(2), r.getString(3),
                Optional.ofNullable(r.getString(4)), r.getString(5), r.getBoolean(6)));
    }

    @Override
    public List<Region> regions() {
        return regionTable.all("id");
    }

    @Override
    public Optional<Region> region(String id) {
        return regionTable.byId(id);
    }

    @Override
    public boolean createRegion(Region r) {
        return sql.unlessDuplicate("INSERT INTO identity_regions (id, description, parent_region_id) VALUES (?, ?, ?)",
                r.id(), r.description(), r.parentRegionId().orElse(null));
    }

    @Override
    public void updateRegion(Region r) {
        sql.execute("UPDATE identity_regions SET description = ?, parent_region_id = ? WHERE id = ?", r.description(),
                r.parentRegionId().orElse(null), r.id());
    }

    @Override
    public boolean deleteRegions(List<String> ids) {
        if (ids.isEmpty()) {
            return true;
        }
        String in = " IN (" + RowSql.placeholders(ids.size()) + ")";
        return sql.unlessExists("SELECT id FROM identity_endpoints WHERE region_id" + in, "DELETE FROM identity_regions WHERE id"
                + in, ids.toArray());
    }

    @Override
    public List<Service> services() {
        return serviceTable.all("type, id");
    }

    @Override
    public Optional<Service> service(String id) {
        return serviceTable.byId(id);
    }

    @Override
    public boolean createService(Service s) {
        return sql.unlessDuplicate("INSERT INTO identity_services (id, type, name, description, enabled) VALUES (?, ?, ?, ?, ?)",
                s.id(), s.type(), s.name(), s.description().orElse(null), s.enabled());
    }

    @Override
    public void updateService(Service s) {
        sql.execute("UPDATE identity_services SET type = ?, name = ?, description = ?, enabled = ? WHERE id = ?", s.type(),
                s.name(), s.description().orElse(null), s.enabled(), s.id());
    }

    @Override
    public void deleteService(String id) {
        db.write(c -> {
            RowSql.execute(c, "DELETE FROM identity_endpoints WHERE service_id = ?", id);
            return RowSql.execute(c, "DELETE FROM identity_services WHERE id = ?", id);
        });
    }

    @Override
    public List<Endpoint> endpoints() {
        return endpointTable.all("service_id, interface, id");
    }

    @Override
    public Optional<Endpoint> endpoint(String id) {
        return endpointTable.byId(id);
    }

    @Override
    public boolean createEndpoint(Endpoint e) {
        return sql.unlessDuplicate("INSERT INTO identity_endpoints (id, service_id, interface, region_id, url, enabled) "
                + "VALUES (?, ?, ?, ?, ?, ?)", e.id(), e.serviceId(), e.iface(), e.regionId().orElse(null), e.url(), e.enabled());
    }

    @Override
    public void updateEndpoint(Endpoint e) {
        sql.execute("UPDATE identity_endpoints SET service_id = ?, interface = ?, region_id = ?, url = ?, enabled = ? WHERE id = ?",
                e.serviceId(), e.iface(), e.regionId().orElse(null), e.url(), e.enabled(), e.id());
    }

    @Override
    public void deleteEndpoint(String id) {
        sql.execute("DELETE FROM identity_endpoints WHERE id = ?", id);
    }
}
