package glint.api;

import static glint.api.IdentityRequests.bool;
import static glint.api.IdentityRequests.member;
import static glint.api.IdentityRequests.name;
import static glint.api.IdentityRequests.nullableString;
import static glint.api.IdentityRequests.string;

import com.fasterxml.jackson.databind.JsonNode;
import glint.api.IdentityPolicy.Caller;
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
import glint.identity.IdentityService;
import glint.identity.IdentityStore;
import glint.identity.TokenService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Keystone v3's administration API for the built-in identity, under {@code /identity/v3}: domains (read only),
 * projects, users, roles, grants on projects and on the system, and {@code /v3/role_assignments}; what the
 * {@code openstack} CLI and Tempest's dynamic credentials use. Authorization follows Keystone 22's default policies
 * (keystone/common/policies): writes need the admin role; reads also allow a system-scoped reader, a project's own
 * users (show project) and a user itself (show user, list its projects).
 */
public final class IdentityAdminApi {
    private static final String V3 = IdentityApi.PREFIX + "/v3";
    private static final String GRANT = V3 + "/projects/{project_id}/users/{user_id}/roles/{role_id}";
    private static final String SYSTEM_GRANT = V3 + "/system/users/{user_id}/roles/{role_id}";

    private final IdentityAdmin admin;
    private final IdentityViews views;
    private final IdentityPolicy policy;

    public IdentityAdminApi(IdentityAdmin admin, TokenService tokens, Optional<String> publicEndpoint) {
        this.admin = admin;
        this.views = new IdentityViews(publicEndpoint);
        this.policy = new IdentityPolicy(tokens, views);
    }

    public void register(Router router) {
        router.addPublic("GET", V3 + "/domains", ex -> {
            policy.authorize(ex, "list_domains", Caller::reader);
            ex.sendJson(200, views.collection(ex, "domains", admin.domains(ex.queryParam("name")), d -> views.domain(ex, d)));
        });
        router.addPublic("GET", V3 + "/domains/{domain_id}", ex -> {
            String id = ex.pathParam("domain_id");
            policy.authorize(ex, "get_domain", c -> c.reader() || c.token().project().map(p -> p.domainId().equals(id)).orElse(false));
            ex.sendJson(200, Map.of("domain", views.domain(ex, admin.domain(id))));
        });
        registerProjects(router);
        registerUsers(router);
        registerRoles(router);
        registerGrants(router);
    }

    private void registerProjects(Router router) {
        router.addPublic("GET", V3 + "/projects", ex -> {
            policy.authorize(ex, "list_projects", Caller::reader);
            Optional<Boolean> enabled = ex.queryParam("enabled").map(IdentityAdminApi::truthy);
            List<Project> projects = admin.projects(ex.queryParam("domain_id"), ex.queryParam("name")).stream()
                    .filter(p -> enabled.isEmpty() || enabled.get() == p.enabled()).toList();
            ex.sendJson(200, views.collection(ex, "projects", projects, p -> views.project(ex, p)));
        });
        router.addPublic("POST", V3 + "/projects", ex -> {
            policy.authorize(ex, "create_project", Caller::admin);
            JsonNode p = member(ex, "project");
            Project created = admin.createProject(name(p), string(p, "domain_id").orElse(IdentityService.DEFAULT_DOMAIN_ID),
                    nullableString(p, "description").flatMap(d -> d), bool(p, "enabled").orElse(true));
            ex.sendJson(201, Map.of("project", views.project(ex, created)));
        });
        router.addPublic("GET", V3 + "/projects/{project_id}", ex -> {
            String id = ex.pathParam("project_id");
            policy.authorize(ex, "get_project", c -> c.reader() || c.inProject(id));
            ex.sendJson(200, Map.of("project", views.project(ex, admin.project(id))));
        });
        router.addPublic("PATCH", V3 + "/projects/{project_id}", ex -> {
            policy.authorize(ex, "update_project", Caller::admin);
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
            policy.authorize(ex, "delete_project", Caller::admin);
            admin.deleteProject(ex.pathParam("project_id"));
            ex.sendEmpty(204);
        });
    }

    private void registerUsers(Router router) {
        router.addPublic("GET", V3 + "/users", ex -> {
            policy.authorize(ex, "list_users", Caller::reader);
            Optional<Boolean> enabled = ex.queryParam("enabled").map(IdentityAdminApi::truthy);
            List<User> users = admin.users(ex.queryParam("domain_id"), ex.queryParam("name")).stream()
                    .filter(u -> enabled.isEmpty() || enabled.get() == u.enabled()).toList();
            ex.sendJson(200, views.collection(ex, "users", users, u -> views.user(ex, u)));
        });
        router.addPublic("POST", V3 + "/users", ex -> {
            policy.authorize(ex, "create_user", Caller::admin);
            JsonNode u = member(ex, "user");
            User created = admin.createUser(name(u), string(u, "domain_id").orElse(IdentityService.DEFAULT_DOMAIN_ID),
                    nullableString(u, "password").flatMap(p -> p), bool(u, "enabled").orElse(true),
                    nullableString(u, "default_project_id").flatMap(p -> p));
            ex.sendJson(201, Map.of("user", views.user(ex, created)));
        });
        router.addPublic("GET", V3 + "/users/{user_id}", ex -> {
            String id = ex.pathParam("user_id");
            policy.authorize(ex, "get_user", c -> c.reader() || c.isUser(id));
            ex.sendJson(200, Map.of("user", views.user(ex, admin.user(id))));
        });
        router.addPublic("PATCH", V3 + "/users/{user_id}", ex -> {
            policy.authorize(ex, "update_user", Caller::admin);
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
            policy.authorize(ex, "delete_user", Caller::admin);
            String id = ex.pathParam("user_id");
            admin.deleteUser(id);
            ex.sendEmpty(204);
        });
        router.addPublic("GET", V3 + "/users/{user_id}/projects", ex -> {
            String id = ex.pathParam("user_id");
            policy.authorize(ex, "list_user_projects", c -> c.reader() || c.isUser(id));
            admin.user(id);
            List<String> ids = admin.assignments(Optional.of(id), Optional.of(IdentityStore.PROJECT), Optional.empty(),
                    Optional.empty(), false).stream().map(a -> a.assignment().targetId()).distinct().toList();
            List<Project> projects = ids.stream().map(admin::project).toList();
            ex.sendJson(200, views.collection(ex, "projects", projects, p -> views.project(ex, p)));
        });
    }

    private void registerRoles(Router router) {
        router.addPublic("GET", V3 + "/roles", ex -> {
            policy.authorize(ex, "list_roles", Caller::reader);
            ex.sendJson(200, views.collection(ex, "roles", admin.roles(ex.queryParam("name")), r -> views.role(ex, r)));
        });
        router.addPublic("POST", V3 + "/roles", ex -> {
            policy.authorize(ex, "create_role", Caller::admin);
            Role created = admin.createRole(name(member(ex, "role")));
            ex.sendJson(201, Map.of("role", views.role(ex, created)));
        });
        router.addPublic("GET", V3 + "/roles/{role_id}", ex -> {
            policy.authorize(ex, "get_role", Caller::reader);
            ex.sendJson(200, Map.of("role", views.role(ex, admin.role(ex.pathParam("role_id")))));
        });
        router.addPublic("DELETE", V3 + "/roles/{role_id}", ex -> {
            policy.authorize(ex, "delete_role", Caller::admin);
            admin.deleteRole(ex.pathParam("role_id"));
            ex.sendEmpty(204);
        });
    }

    private void registerGrants(Router router) {
        router.addPublic("PUT", GRANT, ex -> {
            policy.authorize(ex, "create_grant", Caller::admin);
            admin.grant(ex.pathParam("user_id"), IdentityStore.PROJECT, ex.pathParam("project_id"), ex.pathParam("role_id"));
            ex.sendEmpty(204);
        });
        for (String method : List.of("GET", "HEAD")) {
            router.addPublic(method, GRANT, ex -> {
                policy.authorize(ex, "check_grant", Caller::reader);
                admin.checkGrant(ex.pathParam("user_id"), IdentityStore.PROJECT, ex.pathParam("project_id"), ex.pathParam("role_id"));
                ex.sendEmpty(204);
            });
            router.addPublic(method, SYSTEM_GRANT, ex -> {
                policy.authorize(ex, "check_system_grant_for_user", Caller::reader);
                admin.checkGrant(ex.pathParam("user_id"), IdentityStore.SYSTEM, IdentityStore.SYSTEM_ALL, ex.pathParam("role_id"));
                ex.sendEmpty(204);
            });
        }
        router.addPublic("DELETE", GRANT, ex -> {
            policy.authorize(ex, "revoke_grant", Caller::admin);
            admin.revoke(ex.pathParam("user_id"), IdentityStore.PROJECT, ex.pathParam("project_id"), ex.pathParam("role_id"));
            ex.sendEmpty(204);
        });
        router.addPublic("GET", V3 + "/projects/{project_id}/users/{user_id}/roles", ex -> {
            policy.authorize(ex, "list_grants", Caller::reader);
            List<Role> roles = admin.grantedRoles(ex.pathParam("user_id"), IdentityStore.PROJECT, ex.pathParam("project_id"));
            ex.sendJson(200, views.collection(ex, "roles", roles, r -> views.role(ex, r)));
        });
        router.addPublic("PUT", SYSTEM_GRANT, ex -> {
            policy.authorize(ex, "create_system_grant_for_user", Caller::admin);
            admin.grant(ex.pathParam("user_id"), IdentityStore.SYSTEM, IdentityStore.SYSTEM_ALL, ex.pathParam("role_id"));
            ex.sendEmpty(204);
        });
        router.addPublic("DELETE", SYSTEM_GRANT, ex -> {
            policy.authorize(ex, "revoke_system_grant_for_user", Caller::admin);
            admin.revoke(ex.pathParam("user_id"), IdentityStore.SYSTEM, IdentityStore.SYSTEM_ALL, ex.pathParam("role_id"));
            ex.sendEmpty(204);
        });
        router.addPublic("GET", V3 + "/system/users/{user_id}/roles", ex -> {
            policy.authorize(ex, "list_system_grants_for_user", Caller::reader);
            List<Role> roles = admin.grantedRoles(ex.pathParam("user_id"), IdentityStore.SYSTEM, IdentityStore.SYSTEM_ALL);
            ex.sendJson(200, views.collection(ex, "roles", roles, r -> views.role(ex, r)));
        });
        router.addPublic("GET", V3 + "/role_assignments", this::listAssignments);
    }

    /** {@code GET /v3/role_assignments} with Keystone's filters {@code user.id}, {@code scope.project.id}, {@code scope.system}, {@code role.id}. */
    private void listAssignments(Exchange ex) {
        policy.authorize(ex, "list_role_assignments", Caller::reader);
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
