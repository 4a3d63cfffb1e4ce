package glint.db;

import glint.identity.IdentityRecords.Assignment;
import glint.identity.IdentityRecords.Domain;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRecords.Role;
import glint.identity.IdentityRecords.User;
import glint.identity.IdentityStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All identity SQL (tables {@code identity_*}, migrations V2, V3, V13). Every write that can end or change what a
 * token means (users, projects, assignments, roles, revocations) raises {@code identity_revision} in its transaction. Inserts of records with a unique key report a duplicate
 * as {@code false}, so concurrent bootstraps on one database settle on whichever node inserted first.
 */
public final class IdentityRepository implements IdentityStore {
    private final Database db;
    private final RowSql sql;

    public IdentityRepository(Database db) {
        this.db = db;
        this.sql = new RowSql(db);
    }

    private static final RowSql.Row<Domain> DOMAIN = r -> new Domain(r.getString(1), r.getString(2), r.getBoolean(3));
    private static final RowSql.Row<Project> PROJECT = r -> new Project(r.getString(1), r.getString(2), r.getString(3),
            Optional.ofNullable(r.getString(4)), r.getBoolean(5));
    private static final RowSql.Row<User> USER = r -> new User(r.getString(1), r.getString(2), r.getString(3),
            Optional.ofNullable(r.getString(4)), r.getBoolean(5), Optional.ofNullable(r.getString(6)),
            RowSql.optionalLong(r, 7).map(Instant::ofEpochMilli));

    private static final RowSql.Row<Role> ROLE = r -> new Role(r.getString(1), r.getString(2));
    private static final String PROJECT_COLUMNS = "SELECT id, name, domain_id, description, enabled FROM identity_projects";
    private static final String USER_COLUMNS = "SELECT id, name, domain_id, password_hash, enabled, default_project_id, tokens_not_before "
            + "FROM identity_users";

    @Override
    public Optional<Domain> domain(String id) {
        return sql.one("SELECT id, name, enabled FROM identity_domains WHERE id = ?", DOMAIN, id);
    }

    @Override
    public Optional<Domain> domainByName(String name) {
        return sql.one("SELECT id, name, enabled FROM identity_domains WHERE name = ?", DOMAIN, name);
    }

    @Override
    public Optional<Project> project(String id) {
        return sql.one(PROJECT_COLUMNS + " WHERE id = ?", PROJECT, id);
    }

    @Override
    public Optional<Project> projectByName(String domainId, String name) {
        return sql.one(PROJECT_COLUMNS + " WHERE domain_id = ? AND name = ?", PROJECT, domainId, name);
    }

    @Override
    public Optional<User> user(String id) {
        return sql.one(USER_COLUMNS + " WHERE id = ?", USER, id);
    }

    @Override
    public Optional<User> userByName(String domainId, String name) {
        return sql.one(USER_COLUMNS + " WHERE domain_id = ? AND name = ?", USER, domainId, name);
    }

    @Override
    public List<Role> roles() {
        return sql.query("SELECT id, name FROM identity_roles ORDER BY name", ROLE);
    }

    @Override
    public Optional<Role> roleByName(String name) {
        return sql.one("SELECT id, name FROM identity_roles WHERE name = ?", ROLE, name);
    }

    @Override
    public List<String> assignedRoleIds(String userId, String targetType, String targetId) {
        return sql.query("SELECT role_id FROM identity_assignments WHERE user_id = ? AND target_type = ? AND target_id = ?",
                r -> r.getString(1), userId, targetType, targetId);
    }

    @Override
    public List<String> assignedProjectIds(String userId) {
        return sql.query("SELECT DISTINCT target_id FROM identity_assignments WHERE user_id = ? AND target_type = 'project'",
                r -> r.getString(1), userId);
    }

    @Override
    public Map<String, List<String>> impliedRoles() {
        Map<String, List<String>> implied = new HashMap<>();
        sql.query("SELECT prior_role_id, implied_role_id FROM identity_implied_roles", r -> new String[] {r.getString(1), r.getString(2)})
                .forEach(p -> implied.computeIfAbsent(p[0], k -> new ArrayList<>()).add(p[1]));
        return implied;
    }

    private static final String NEXT_REVISION = "UPDATE identity_revision SET revision = revision + 1 WHERE id = 1";

    /** {@code sql} and the revision raised, in one transaction. */
    private void revising(String sql, Object... params) {
        db.write(c -> {
            RowSql.execute(c, sql, params);
            return RowSql.execute(c, NEXT_REVISION);
        });
    }

    /** {@code sql} and the revision raised, in one transaction; false (and neither) when it breaks a unique key. */
    private boolean revisingUnlessDuplicate(String sql, Object... params) {
        return db.writeUnlessDuplicate(c -> {
            RowSql.execute(c, sql, params);
            RowSql.execute(c, NEXT_REVISION);
            return true;
        });
    }

    @Override
    public long revision() {
        return sql.one("SELECT revision FROM identity_revision WHERE id = 1", r -> r.getLong(1)).orElse(0L);
    }

    @Override
    public FailedLogins failedLogins(String userId) {
        return sql.one("SELECT failed_auth_count, failed_auth_at FROM identity_users WHERE id = ?",
                r -> new FailedLogins(r.getInt(1), RowSql.optionalLong(r, 2).map(Instant::ofEpochMilli)), userId).orElse(FailedLogins.NONE);
    }

    @Override
    public void recordFailedLogin(String userId, Instant at) {
        sql.execute("UPDATE identity_users SET failed_auth_count = COALESCE(failed_auth_count, 0) + 1, failed_auth_at = ? "
                + "WHERE id = ?", at.toEpochMilli(), userId);
    }

    @Override
    public void resetFailedLogins(String userId) {
        sql.execute("UPDATE identity_users SET failed_auth_count = NULL, failed_auth_at = NULL WHERE id = ?", userId);
    }

    @Override
    public boolean isRevoked(String auditId) {
        return sql.one("SELECT audit_id FROM identity_revocations WHERE audit_id = ?", r -> r.getString(1), auditId).isPresent();
    }

    @Override
    public void revoke(String auditId, Instant expiresAt) {
        sql.execute("DELETE FROM identity_revocations WHERE expires_at < ?", System.currentTimeMillis());
        if (!revisingUnlessDuplicate("INSERT INTO identity_revocations (audit_id, expires_at) VALUES (?, ?)", auditId,
                expiresAt.toEpochMilli())) {
            sql.execute(NEXT_REVISION); // revoked before: still, no node keeps it
        }
    }

    @Override
    public Optional<String> setting(String name) {
        return sql.one("SELECT value FROM identity_settings WHERE name = ?", r -> r.getString(1), name);
    }

    @Override
    public String settingIfAbsent(String name, String value) {
        if (sql.unlessDuplicate("INSERT INTO identity_settings (name, value) VALUES (?, ?)", name, value)) {
            return value;
        }
        return setting(name).orElseThrow(() -> new IllegalStateException("setting " + name + " vanished"));
    }

    @Override
    public boolean createDomain(Domain d) {
        return sql.unlessDuplicate("INSERT INTO identity_domains (id, name, enabled) VALUES (?, ?, ?)", d.id(), d.name(), d.enabled());
    }

    @Override
    public boolean createProject(Project p) {
        return sql.unlessDuplicate("INSERT INTO identity_projects (id, name, domain_id, description, enabled) VALUES (?, ?, ?, ?, ?)",
                p.id(), p.name(), p.domainId(), p.description().orElse(null), p.enabled());
    }

    @Override
    public boolean createUser(User u) {
        return sql.unlessDuplicate("INSERT INTO identity_users (id, name, domain_id, password_hash, enabled, default_project_id, "
                + "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", u.id(), u.name(), u.domainId(), u.passwordHash().orElse(null),
                u.enabled(), u.defaultProjectId().orElse(null), System.currentTimeMillis());
    }

    @Override
    public boolean createRole(Role role) {
        return sql.unlessDuplicate("INSERT INTO identity_roles (id, name) VALUES (?, ?)", role.id(), role.name());
    }

    @Override
    public boolean addImpliedRole(String priorRoleId, String impliedRoleId) {
        return revisingUnlessDuplicate("INSERT INTO identity_implied_roles (prior_role_id, implied_role_id) VALUES (?, ?)",
                priorRoleId, impliedRoleId);
    }

    @Override
    public boolean assign(String userId, String targetType, String targetId, String roleId) {
        return revisingUnlessDuplicate("INSERT INTO identity_assignments (user_id, target_type, target_id, role_id) VALUES (?, ?, ?, ?)",
                userId, targetType, targetId, roleId);
    }

    @Override
    public void unassign(String userId, String targetType, String targetId, String roleId) {
        revising("DELETE FROM identity_assignments WHERE user_id = ? AND target_type = ? AND target_id = ? AND role_id = ?",
                userId, targetType, targetId, roleId);
    }

    @Override
    public List<Domain> domains() {
        return sql.query("SELECT id, name, enabled FROM identity_domains ORDER BY name", DOMAIN);
    }

    @Override
    public List<Project> projects(Optional<String> domainId, Optional<String> name) {
        Filter f = new Filter().eq("domain_id", domainId).eq("name", name);
        return sql.query(PROJECT_COLUMNS + f.where() + " ORDER BY name, id", PROJECT, f.params());
    }

    @Override
    public List<User> users(Optional<String> domainId, Optional<String> name) {
        Filter f = new Filter().eq("domain_id", domainId).eq("name", name);
        return sql.query(USER_COLUMNS + f.where() + " ORDER BY name, id", USER, f.params());
    }

    @Override
    public Optional<Role> role(String id) {
        return sql.one("SELECT id, name FROM identity_roles WHERE id = ?", ROLE, id);
    }

    @Override
    public boolean updateProject(Project p) {
        return revisingUnlessDuplicate("UPDATE identity_projects SET name = ?, description = ?, enabled = ? WHERE id = ?",
                p.name(), p.description().orElse(null), p.enabled(), p.id());
    }

    @Override
    public boolean updateUser(User u) {
        return revisingUnlessDuplicate("UPDATE identity_users SET name = ?, password_hash = ?, enabled = ?, default_project_id = ?, "
                + "tokens_not_before = ? WHERE id = ?", u.name(), u.passwordHash().orElse(null), u.enabled(),
                u.defaultProjectId().orElse(null), u.tokensNotBefore().map(Instant::toEpochMilli).orElse(null), u.id());
    }

    @Override
    public void deleteProject(String projectId) {
        db.write(c -> {
            RowSql.execute(c, "DELETE FROM identity_assignments WHERE target_type = 'project' AND target_id = ?", projectId);
            RowSql.execute(c, "UPDATE identity_users SET default_project_id = NULL WHERE default_project_id = ?", projectId);
            RowSql.execute(c, "DELETE FROM identity_projects WHERE id = ?", projectId);
            return RowSql.execute(c, NEXT_REVISION);
        });
    }

    @Override
    public void deleteUser(String userId) {
        db.write(c -> {
            RowSql.execute(c, "DELETE FROM identity_assignments WHERE user_id = ?", userId);
            RowSql.execute(c, "DELETE FROM identity_users WHERE id = ?", userId);
            return RowSql.execute(c, NEXT_REVISION);
        });
    }

    @Override
    public void deleteRole(String roleId) {
        db.write(c -> {
            RowSql.execute(c, "DELETE FROM identity_assignments WHERE role_id = ?", roleId);
            RowSql.execute(c, "DELETE FROM identity_implied_roles WHERE prior_role_id = ? OR implied_role_id = ?", roleId, roleId);
            RowSql.execute(c, "DELETE FROM identity_roles WHERE id = ?", roleId);
            return RowSql.execute(c, NEXT_REVISION);
        });
    }

    @Override
    public List<Assignment> assignments(Optional<String> userId, Optional<String> targetType, Optional<String> targetId,
                                        Optional<String> roleId) {
        Filter f = new Filter().eq("user_id", userId).eq("target_type", targetType).eq("target_id", targetId).eq("role_id", roleId);
        return sql.query("SELECT user_id, target_type, target_id, role_id FROM identity_assignments" + f.where()
                + " ORDER BY user_id, target_type, target_id, role_id",
                r -> new Assignment(r.getString(1), r.getString(2), r.getString(3), r.getString(4)), f.params());
    }

    /** {@code column = ?} conditions for the filters that are present. */
    private static final class Filter {
        private final List<String> conditions = new ArrayList<>();
        private final List<Object> params = new ArrayList<>();

        Filter eq(String column, Optional<String> value) {
            value.ifPresent(v -> {
                conditions.add(column + " = ?");
                params.add(v);
            });
            return this;
        }

        String where() {
            return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        }

        Object[] params() {
            return params.toArray();
        }
    }
}
