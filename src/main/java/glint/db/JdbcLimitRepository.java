package glint.db;

import glint.identity.LimitRecords.ProjectLimit;
import glint.identity.LimitRecords.RegisteredLimit;
import glint.identity.LimitStore;
import java.util.List;
import java.util.Optional;

/** The unified limits' SQL (tables {@code identity_registered_limits}, {@code identity_limits}, migration V9). */
public final class JdbcLimitRepository implements LimitStore {
    private static final String REFERENCED = "SELECT id FROM identity_limits WHERE registered_limit_id = ?";

    private final Database db;
    private final RowSql sql;
    private final RowSql.Table<RegisteredLimit> registeredTable;
    private final RowSql.Table<ProjectLimit> limitTable;

    public JdbcLimitRepository(Database db) {
        this.db = db;
        this.sql = new RowSql(db);
        this.registeredTable = new RowSql.Table<>(sql, "SELECT id, service_id, region_id, resource_name, default_limit, "
                + "description FROM identity_registered_limits", r -> new RegisteredLimit(r.getString(1), r.getString(2),
                Optional.ofNullable(r.getString(3)), r.getString(4), r.getLong(5), Optional.ofNullable(r.getString(6))));
        this.limitTable = new RowSql.Table<>(sql, "SELECT id, registered_limit_id, project_id, resource_limit, description "
                + "FROM identity_limits", r -> new ProjectLimit(r.getString(1), r.getString(2), r.getString(3), r.getLong(4),
                Optional.ofNullable(r.getString(5))));
    }

    @Override
    public List<RegisteredLimit> registeredLimits() {
        return registeredTable.all("id");
    }

    @Override
    public Optional<RegisteredLimit> registeredLimit(String id) {
        return registeredTable.byId(id);
    }

    @Override
    public void createRegisteredLimits(List<RegisteredLimit> limits) {
        db.write(c -> {
            for (RegisteredLimit l : limits) {
                RowSql.execute(c, "INSERT INTO identity_registered_limits (id, service_id, region_id, resource_name, "
                        + "default_limit, description) VALUES (?, ?, ?, ?, ?, ?)", l.id(), l.serviceId(),
                        l.regionId().orElse(null), l.resourceName(), l.defaultLimit(), l.description().orElse(null));
            }
            return null;
        });
    }

    @Override
    public void updateRegisteredLimit(RegisteredLimit l) {
        sql.execute("UPDATE identity_registered_limits SET service_id = ?, region_id = ?, resource_name = ?, "
                + "default_limit = ?, description = ? WHERE id = ?", l.serviceId(), l.regionId().orElse(null),
                l.resourceName(), l.defaultLimit(), l.description().orElse(null), l.id());
    }

    @Override
    public boolean deleteRegisteredLimit(String id) {
        return sql.unlessExists(REFERENCED, "DELETE FROM identity_registered_limits WHERE id = ?", id);
    }

    @Override
    public boolean referenced(String registeredLimitId) {
        return sql.exists(REFERENCED, registeredLimitId);
    }

    @Override
    public List<ProjectLimit> limits() {
        return limitTable.all("id");
    }

    @Override
    public Optional<ProjectLimit> limit(String id) {
        return limitTable.byId(id);
    }

    @Override
    public boolean createLimits(List<ProjectLimit> limits) {
        return db.writeUnlessDuplicate(c -> {
            for (ProjectLimit l : limits) {
                RowSql.execute(c, "INSERT INTO identity_limits (id, registered_limit_id, project_id, resource_limit, "
                        + "description) VALUES (?, ?, ?, ?, ?)", l.id(), l.registeredLimitId(), l.projectId(),
                        l.resourceLimit(), l.description().orElse(null));
            }
            return true;
        });
    }

    @Override
    public void updateLimit(ProjectLimit l) {
        sql.execute("UPDATE identity_limits SET resource_limit = ?, description = ? WHERE id = ?", l.resourceLimit(),
                l.description().orElse(null), l.id());
    }

    @Override
    public void deleteLimit(String id) {
        sql.execute("DELETE FROM identity_limits WHERE id = ?", id);
    }
}
