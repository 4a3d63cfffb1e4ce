package glint.api;

import static glint.api.IdentityRequests.bool;
import static glint.api.IdentityRequests.member;
import static glint.api.IdentityRequests.name;
import static glint.api.IdentityRequests.nullableString;
import static glint.api.IdentityRequests.string;

import com.fasterxml.jackson.databind.JsonNode;
import glint.error.GlintException;
import glint.http.Exchange;
import glint.http.Router;
import glint.identity.IdentityAdmin;
import glint.identity.IdentityAdmin.ProjectChange;
import glint.identity.IdentityAdmin.RoleAssignment;
import glint.identity.IdentityAdmin.UserChange;
import glint.identity.IdentityRecords.Domain;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRecords.Role;
import glint.identity.IdentityRecords.User;
import glint.identity.IdentityRules;
import glint.identity.IdentityRules.Target;
import glint.identity.IdentityService;
import glint.identity.IdentityStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Keystone v3's administration API for the built-in identity, under {@code /identity/v3}: domains (read only),
 * projects, users, roles, grants on projects and on the system, and {@code /v3/role_assignments}; what the
 * {@code openstack} CLI and Tempest's dynamic credentials use. Authorization is Keystone's default policies, by rule
 * name, in {@link IdentityRules}.
 */
public final class IdentityAdminApi {
    private static final String V3 = IdentityApi.PREFIX + "/v3";
    private static final String GRANT = V3 + "/projects/{project_id}/users/{user_id}/roles/{role_id}";
    private static final String SYSTEM_GRANT = V3 + "/system/users/{user_id}/roles/{role_id}";

    private final IdentityAdmin admin;
    private final IdentityViews views;
    private final IdentityCallers callers;

    public IdentityAdminApi(IdentityAdmin admin, IdentityRules rules, Optional<String> publicEndpoint) {
        this.admin = admin;
        this.views = new IdentityViews(publicEndpoint);
        this.callers = new IdentityCallers(rules, views);
    }

    public void register(Router router) {
        router.addPublic("GET", V3 + "/domains", ex -> {
            callers.authorize(ex, "list_domains");
            ex.sendJson(200, views.collection(ex, "domains", admin.domains(ex.queryParam("name")), d -> views.domain(ex, d)));
        });
        router.addPublic("GET", V3 + "/domains/{domain_id}", ex -> {
            String id = ex.pathParam("domain_id");
            callers.authorize(ex, "get_domain", Target.domain(id));
            ex.sendJson(200, Map.of("domain", views.domain(ex, admin.domain(id))));
        });
        registerProjects(router);
        registerUsers(router);
        registerRoles(router);
        registerGrants(router);
    }

    private void registerProjects(Router router) {
        router.addPublic("GET", V3 + "/projects", ex -> {
            callers.authorize(ex, "list_projects");
            Optional<Boolean> enabled = ex.queryParam("enabled").map(IdentityAdminApi::truthy);
            List<Project> projects = admin.projects(ex.queryParam("domain_id"), ex.queryParam("name")).stream()
                    .filter(p -> enabled.isEmpty() || enabled.get() == p.enabled()).toList();
            ex.sendJson(200, views.collection(ex, "projects", projects, p -> views.project(ex, p)));
        });
        router.addPublic("POST", V3 + "/projects", ex -> {
            callers.authorize(ex, "create_project");
            JsonNode p = member(ex, "project");
            Project created = admin.createProject(name(p), string(p, "domain_id").orElse(IdentityService.DEFAULT_DOMAIN_ID),
                    nullableString(p, "description").flatMap(d -> d), bool(p, "enabled").orElse(true));
            ex.sendJson(201, Map.of("project", views.project(ex, created)));
        });
        router.addPublic("GET", V3 + "/projects/{project_id}", ex -> {
            String id = ex.pathParam("project_id");
            callers.authorize(ex, "get_project", Target.project(id));
            ex.sendJson(200, Map.of("project", views.project(ex, admin.project(id))));
        });
        router.addPublic("PATCH", V3 + "/projects/{project_id}", ex -> {
            callers.authorize(ex, "update_project");
            String id = ex.pathParam("project_id");
            JsonNode p = member(ex, "project");
            Project old = admin.project(id);
            if (string(p, "domain_id").filter(d -> !d.equals(old.domainId())).isPresent()) {
                throw GlintException.badRequest("Cannot change Domain ID");
            }
            Optional<String> name = p.has("name") ? Optional.of(name(p)) : Optional.empty();
            Project updated = admin.updateProject(id, new ProjectChange(name, nullableString(p, "description"), bool(p, "enabled")));
            ex.sendJson(200, Map.of("project", views.project(ex, updated)));
        });
        router.addPublic("DELETE", V3 + "/projects/{project_id}", ex -> {
            callers.authorize(ex, "delete_project");
            admin.deleteProject(ex.pathParam("project_id"));
            ex.sendEmpty(204);
        });
    }

    private void registerUsers(Router router) {
        router.addPublic("GET", V3 + "/users", ex -> {
            callers.authorize(ex, "list_users");
            Optional<Boolean> enabled = ex.queryParam("enabled").map(IdentityAdminApi::truthy);
            List<User> users = admin.users(ex.queryParam("domain_id"), ex.queryParam("name")).stream()
                    .filter(u -> enabled.isEmpty() || enabled.get() == u.enabled()).toList();
            ex.sendJson(200, views.collection(ex, "users", users, u -> views.user(ex, u)));
        });
        router.addPublic("POST", V3 + "/users", ex -> {
            callers.authorize(ex, "create_user");
            JsonNode u = member(ex, "user");
            User created = admin.createUser(name(u), string(u, "domain_id").orElse(IdentityService.DEFAULT_DOMAIN_ID),
                    nullableString(u, "password").flatMap(p -> p), bool(u, "enabled").orElse(true),
                    nullableString(u, "default_project_id").flatMap(p -> p));
            ex.sendJson(201, Map.of("user", views.user(ex, created)));
        });
        router.addPublic("GET", V3 + "/users/{user_id}", ex -> {
            String id = ex.pathParam("user_id");
            callers.authorize(ex, "get_user", Target.user(id));
            ex.sendJson(200, Map.of("user", views.user(ex, admin.user(id))));
        });
        router.addPublic("PATCH", V3 + "/users/{user_id}", ex -> {
            callers.authorize(ex, "update_user");
            String id = ex.pathParam("user_id");
            JsonNode u = member(ex, "user");
            User old = admin.user(id);
            if (string(u, "domain_id").filter(d -> !d.equals(old.domainId())).isPresent()) {
                throw GlintException.badRequest("Cannot change Domain ID");
            }
            Optional<String> name = u.has("name") ? Optional.of(name(u)) : Optional.empty();
            Optional<String> password = nullableString(u, "password").flatMap(p -> p);
            Optional<Boolean> enabled = bool(u, "enabled");
            User updated = admin.updateUser(id, new UserChange(name, password, enabled, nullableString(u, "default_project_id")));
            ex.sendJson(200, Map.of("user", views.user(ex, updated)));
        });
        router.addPublic("DELETE", V3 + "/users/{user_id}", ex -> {
            callers.authorize(ex, "delete_user");
            String id = ex.pathParam("user_id");
            admin.deleteUser(id);
            ex.sendEmpty(204);
        });
        router.addPublic("GET", V3 + "/users/{user_id}/projects", ex -> {
            String id = ex.pathParam("user_id");
            callers.authorize(ex, "list_user_projects", Target.user(id));
            admin.user(id);
            List<String> ids = admin.assignments(Optional.of(id), Optional.of(IdentityStore.PROJECT), Optional.empty(),
                    Optional.empty(), false).stream().map(a -> a.assignment().targetId()).distinct().toList();
            List<Project> projects = ids.stream().map(admin::project).toList();
            ex.sendJson(200, views.collection(ex, "projects", projects, p -> views.project(ex, p)));
        });
    }

    private void registerRoles(Router router) {
        router.addPublic("GET", V3 + "/roles", ex -> {
            callers.authorize(ex, "list_roles");
            ex.sendJson(200, views.collection(ex, "roles", admin.roles(ex.queryParam("name")), r -> views.role(ex, r)));
        });
        router.addPublic("POST", V3 + "/roles", ex -> {
            callers.authorize(ex, "create_role");
            Role created = admin.createRole(name(member(ex, "role")));
            ex.sendJson(201, Map.of("role", views.role(ex, created)));
        });
        router.addPublic("GET", V3 + "/roles/{role_id}", ex -> {
            callers.authorize(ex, "get_role");
            ex.sendJson(200, Map.of("role", views.role(ex, admin.role(ex.pathParam("role_id")))));
        });
        router.addPublic("DELETE", V3 + "/roles/{role_id}", ex -> {
            callers.authorize(ex, "delete_role");
            admin.deleteRole(ex.pathParam("role_id"));
            ex.sendEmpty(204);
        });
    }

    private void registerGrants(Router router) {
        router.addPublic("PUT", GRANT, ex -> {
            callers.authorize(ex, "create_grant");
            admin.grant(ex.pathParam("user_id"), IdentityStore.PROJECT, ex.pathParam("project_id"), ex.pathParam("role_id"));
            ex.sendEmpty(204);
        });
        for (String method : List.of("GET", "HEAD")) {
            router.addPublic(method, GRANT, ex -> {
                callers.authorize(ex, "check_grant");
                admin.checkGrant(ex.pathParam("user_id"), IdentityStore.PROJECT, ex.pathParam("project_id"), ex.pathParam("role_id"));
                ex.sendEmpty(204);
            });
            router.addPublic(method, SYSTEM_GRANT, ex -> {
                callers.authorize(ex, "check_system_grant_for_user");
                admin.checkGrant(ex.pathParam("user_id"), IdentityStore.SYSTEM, IdentityStore.SYSTEM_ALL, ex.pathParam("role_id"));
                ex.sendEmpty(204);
            });
        }
        router.addPublic("DELETE", GRANT, ex -> {
            callers.authorize(ex, "revoke_grant");
            admin.revoke(ex.pathParam("user_id"), IdentityStore.PROJECT, ex.pathParam("project_id"), ex.pathParam("role_id"));
            ex.sendEmpty(204);
        });
        router.addPublic("GET", V3 + "/projects/{project_id}/users/{user_id}/roles", ex -> {
            callers.authorize(ex, "list_grants");
            List<Role> roles = admin.grantedRoles(ex.pathParam("user_id"), IdentityStore.PROJECT, ex.pathParam("project_id"));
            ex.sendJson(200, views.collection(ex, "roles", roles, r -> views.role(ex, r)));
        });
        router.addPublic("PUT", SYSTEM_GRANT, ex -> {
            callers.authorize(ex, "create_system_grant_for_user");
            admin.grant(ex.pathParam("user_id"), IdentityStore.SYSTEM, IdentityStore.SYSTEM_ALL, ex.pathParam("role_id"));
            ex.sendEmpty(204);
        });
        router.addPublic("DELETE", SYSTEM_GRANT, ex -> {
            callers.authorize(ex, "revoke_system_grant_for_user");
            admin.revoke(ex.pathParam("user_id"), IdentityStore.SYSTEM, IdentityStore.SYSTEM_ALL, ex.pathParam("role_id"));
            ex.sendEmpty(204);
        });
        router.addPublic("GET", V3 + "/system/users/{user_id}/roles", ex -> {
            callers.authorize(ex, "list_system_grants_for_user");
            List<Role> roles = admin.grantedRoles(ex.pathParam("user_id"), IdentityStore.SYSTEM, IdentityStore.SYSTEM_ALL);
            ex.sendJson(200, views.collection(ex, "roles", roles, r -> views.role(ex, r)));
        });
        router.addPublic("GET", V3 + "/role_assignments", this::listAssignments);
    }

    /** {@code GET /v3/role_assignments} with Keystone's filters {@code user.id}, {@code scope.project.id}, {@code scope.system}, {@code role.id}. */
    private void listAssignments(Exchange ex) {
        callers.authorize(ex, "list_role_assignments");
        Optional<String> project = ex.queryParam("scope.project.id");
        Optional<String> system = ex.queryParam("scope.system");
        if (project.isPresent() && system.isPresent()) {
            throw GlintException.badRequest("Specify one of domain, project or system scope.");
        }
        Optional<String> targetType = project.map(p -> IdentityStore.PROJECT)
                .or(() -> system.map(s -> IdentityStore.SYSTEM));
        Optional<String> targetId = project.or(() -> system.map(s -> IdentityStore.SYSTEM_ALL));
        List<RoleAssignment> found = admin.assignments(ex.queryParam("user.id"), targetType, targetId,
                ex.queryParam("role.id"), flag(ex, "effective"));
        IdentityViews.Names names = flag(ex, "include_names") ? new NameLookup(admin) : IdentityViews.Names.NONE;
        ex.sendJson(200, views.collection(ex, "role_assignments", found, a -> views.assignment(ex, a, names)));
    }

    /** Keystone's {@code query_filter_is_true}: present, and not {@code 0}/{@code false}. */
    private static boolean flag(Exchange ex, String name) {
        return ex.queryParam(name).map(v -> v.isEmpty() || truthy(v)).orElse(false);
    }

    private static boolean truthy(String v) {
        return !(v.equals("0") || v.equalsIgnoreCase("false"));
    }

    /** Names for {@code include_names}, read once per id; empty for what has gone meanwhile. */
    private static final class NameLookup implements IdentityViews.Names {
        private final IdentityAdmin admin;
        private final Map<String, Optional<?>> cache = new HashMap<>();

        NameLookup(IdentityAdmin admin) {
            this.admin = admin;
        }

        @SuppressWarnings("unchecked")
        private <T> Optional<T> cached(String key, Supplier<T> load) {
            return (Optional<T>) cache.computeIfAbsent(key, k -> {
                try {
                    return Optional.of(load.get());
                } catch (GlintException e) {
                    return Optional.empty();
                }
            });
        }

        @Override
        public Optional<Project> project(String id) {
            return cached("project " + id, () -> admin.project(id));
        }

        @Override
        public Optional<User> user(String id) {
            return cached("user " + id, () -> admin.user(id));
        }

        @Override
        public Optional<Role> role(String id) {
            return cached("role " + id, () -> admin.role(id));
        }

        @Override
        public Map<String, Object> domainRef(String id) {
            Map<String, Object> ref = IdentityViews.ordered("id", id);
            this.<Domain>cached("domain " + id, () -> admin.domain(id)).ifPresent(d -> ref.put("name", d.name()));
            return ref;
        }
    }
}
