package glint.db;

import glint.identity.LimitRecords.ProjectLimit;
import glint.identity.LimitRecords.RegisteredLimit;
import glint.identity.LimitStore;
import java.util.List;
import java.util.Optional;

/** The unified limits' SQL (tables {@code identity_registered_limits}, {@code identity_limits}, migration V9). */
public final class JdbcLimitRepository implements LimitStore {
    private static final String REGISTERED = "SELECT id, service_id, region_id, resource_name, default_limit, description "
            + "FROM identity_registered_limits";
    private static final String LIMITS = "SELECT id, registered_limit_id, project_id, resource_limit, description "
            + "FROM identity_limits";
    private static final RowSql.Row<RegisteredLimit> REGISTERED_ROW = r -> new RegisteredLimit(r.getString(1),
            r.getString(2), Optional.ofNullable(r.getString(3)), r.getString(4), r.getLong(5), Optional.ofNullable(r.getString(6)));
    private static final RowSql.Row<ProjectLimit> LIMIT_ROW = r -> new ProjectLimit(r.getString(1), r.getString(2),
            r.getString(3), r.getLong(4), Optional.ofNullable(r.getString(5)));

    private final Database db;
    private final RowSql sql;

    public JdbcLimitRepository(Database db) {
        this.db = db;
        this.sql = new RowSql(db);
    }

    @Override
    public List<RegisteredLimit> registeredLimits() {
        return sql.query(REGISTERED + " ORDER BY id", REGISTERED_ROW);
    }

    @Override
    public Optional<RegisteredLimit> registeredLimit(String id) {
        return sql.one(REGISTERED + " WHERE id = ?", REGISTERED_ROW, id);
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
        return db.write(c -> {
            if (!RowSql.query(c, "SELECT id FROM identity_limits WHERE registered_limit_id = ?", r -> r.getString(1), id)
                    .isEmpty()) {
                return false;
            }
            RowSql.execute(c, "DELETE FROM identity_registered_limits WHERE id = ?", id);
            return true;
        });
    }

    @Override
    public boolean referenced(String registeredLimitId) {
        return sql.one("SELECT id FROM identity_limits WHERE registered_limit_id = ?", r -> r.getString(1), registeredLimitId)
                .isPresent();
    }

    @Override
    public List<ProjectLimit> limits() {
        return sql.query(LIMITS + " ORDER BY id", LIMIT_ROW);
    }

    @Override
    public Optional<ProjectLimit> limit(String id) {
        return sql.one(LIMITS + " WHERE id = ?", LIMIT_ROW, id);
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
