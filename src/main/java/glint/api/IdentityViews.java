package glint.api;

import glint.http.Exchange;
import glint.identity.Catalog;
import glint.identity.CatalogRecords.Endpoint;
import glint.identity.CatalogRecords.Region;
import glint.identity.CatalogRecords.Service;
import glint.identity.IdentityAdmin.RoleAssignment;
import glint.identity.IdentityRecords.Assignment;
import glint.identity.IdentityRecords.Domain;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRecords.Role;
import glint.identity.IdentityRecords.User;
import glint.identity.IdentityStore;
import glint.identity.ValidToken;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Keystone's wire shapes: tokens, catalogs and version discovery (keystone/common/render_token.py,
 * keystone/api/discovery.py, keystone/api/auth.py) and, for the admin API, members with {@code links.self} and
 * collections with {@code links: {self, previous, next}} (keystone/server/flask/common.py
 * {@code wrap_member}/{@code wrap_collection}).
 */
final class IdentityViews {
    private static final DateTimeFormatter KEYSTONE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final Optional<String> publicEndpoint;

    IdentityViews(Optional<String> publicEndpoint) {
        this.publicEndpoint = publicEndpoint;
    }

    /** Keystone's {@code base_url()}: the public endpoint when configured, else the URL the client used. */
    String baseUrl(Exchange ex) {
        return publicEndpoint.orElseGet(() -> "http://" + ex.header("Host").orElse("127.0.0.1"));
    }

    String v3Url(Exchange ex) {
        return baseUrl(ex) + IdentityApi.PREFIX + "/v3";
    }

    /** Keystone's v3 version (keystone/api/discovery.py). */
    Map<String, Object> version(Exchange ex) {
        return ordered("id", "v3.14", "status", "stable", "updated", "2020-04-07T00:00:00Z",
                "links", List.of(ordered("rel", "self", "href", v3Url(ex) + "/")),
                "media-types", List.of(ordered("base", "application/json", "type", "application/vnd.openstack.identity-v3+json")));
    }

    /** {@code {"token": …}} as keystone/common/render_token.py; the catalog when there is one to show. */
    Map<String, Object> token(ValidToken v, Optional<List<Catalog.Entry>> catalog) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("methods", v.token().methods());
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("domain", ordered("id", v.userDomain().id(), "name", v.userDomain().name()));
        user.put("id", v.user().id());
        user.put("name", v.user().name());
        user.put("password_expires_at", null);
        t.put("user", user);
        t.put("audit_ids", v.token().auditIds());
        t.put("expires_at", KEYSTONE_TIME.format(v.token().expiresAt()));
        t.put("issued_at", KEYSTONE_TIME.format(v.token().issuedAt()));
        List<Map<String, Object>> roles = v.roles().stream().map(r -> ordered("id", r.id(), "name", r.name())).toList();
        if (v.token().system()) {
            t.put("roles", roles);
            t.put("system", Map.of("all", true));
        } else if (v.project().isPresent()) {
            Project p = v.project().get();
            Map<String, Object> project = new LinkedHashMap<>();
            project.put("domain", v.projectDomain().map(d -> ordered("id", d.id(), "name", d.name()))
                    .orElse(ordered("id", p.domainId(), "name", p.domainId())));
            project.put("id", p.id());
            project.put("name", p.name());
            t.put("project", project);
            t.put("is_domain", false);
            t.put("roles", roles);
        }
        catalog.ifPresent(c -> t.put("catalog", catalog(c)));
        return Map.of("token", t);
    }

    /** Keystone's v3 catalog (keystone/catalog/backends/sql.py {@code get_v3_catalog}). */
    List<Object> catalog(List<Catalog.Entry> entries) {
        List<Object> services = new ArrayList<>();
        for (Catalog.Entry s : entries) {
            List<Object> endpoints = new ArrayList<>();
            for (Endpoint e : s.endpoints()) {
                String region = e.regionId().orElse(null);
                endpoints.add(ordered("id", e.id(), "interface", e.iface(), "region_id", region, "url", e.url(),
                        "region", region));
            }
            services.add(ordered("endpoints", endpoints, "id", s.service().id(), "type", s.service().type(),
                    "name", s.service().name()));
        }
        return services;
    }

    /** A project as {@code GET /v3/auth/projects} lists it (keystone/api/auth.py). */
    Map<String, Object> authProject(Exchange ex, Project p) {
        return ordered("id", p.id(), "name", p.name(), "domain_id", p.domainId(), "description", p.description().orElse(""),
                "enabled", p.enabled(), "is_domain", false, "parent_id", p.domainId(),
                "links", Map.of("self", v3Url(ex) + "/projects/" + p.id()));
    }

    /** The {@code links} of the auth API's collections. */
    Map<String, Object> links(Exchange ex, String path) {
        return ordered("self", v3Url(ex) + path, "previous", null, "next", null);
    }

    <T> Map<String, Object> collection(Exchange ex, String key, List<T> items, Function<T, Map<String, Object>> view) {
        String path = ex.path().substring(IdentityApi.PREFIX.length() + "/v3".length());
        return ordered(key, items.stream().map(view).toList(), "links", links(ex, path));
    }

    Map<String, Object> domain(Exchange ex, Domain d) {
        return ordered("id", d.id(), "name", d.name(), "description", "", "enabled", d.enabled(), "tags", List.of(),
                "options", Map.of(), "links", self(ex, "domains", d.id()));
    }

    Map<String, Object> project(Exchange ex, Project p) {
        return ordered("id", p.id(), "name", p.name(), "domain_id", p.domainId(), "description", p.description().orElse(""),
                "enabled", p.enabled(), "parent_id", p.domainId(), "is_domain", false, "tags", List.of(), "options", Map.of(),
                "links", self(ex, "projects", p.id()));
    }

    Map<String, Object> user(Exchange ex, User u) {
        Map<String, Object> view = ordered("id", u.id(), "name", u.name(), "domain_id", u.domainId(), "enabled", u.enabled(),
                "password_expires_at", null, "options", Map.of());
        u.defaultProjectId().ifPresent(p -> view.put("default_project_id", p));
        view.put("links", self(ex, "users", u.id()));
        return view;
    }

    Map<String, Object> role(Exchange ex, Role r) {
        return ordered("id", r.id(), "name", r.name(), "domain_id", null, "description", null, "options", Map.of(),
                "links", self(ex, "roles", r.id()));
    }

    Map<String, Object> region(Exchange ex, Region r) {
        return ordered("id", r.id(), "description", r.description(), "parent_region_id", r.parentRegionId().orElse(null),
                "links", self(ex, "regions", r.id()));
    }

    Map<String, Object> service(Exchange ex, Service s) {
        Map<String, Object> view = ordered("id", s.id(), "type", s.type(), "enabled", s.enabled(), "name", s.name());
        s.description().ifPresent(d -> view.put("description", d));
        view.put("links", self(ex, "services", s.id()));
        return view;
    }

    Map<String, Object> registeredLimit(Exchange ex, glint.identity.LimitRecords.RegisteredLimit l) {
        return ordered("id", l.id(), "service_id", l.serviceId(), "region_id", l.regionId().orElse(null), "resource_name",
                l.resourceName(), "default_limit", l.defaultLimit(), "description", l.description().orElse(null),
                "links", self(ex, "registered_limits", l.id()));
    }

    /** Keystone's limit: the registered limit's service, region and resource beside the project's value. */
    Map<String, Object> limit(Exchange ex, glint.identity.LimitRecords.ProjectLimitView v) {
        return ordered("id", v.limit().id(), "project_id", v.limit().projectId(), "domain_id", null, "service_id",
                v.registered().serviceId(), "region_id", v.registered().regionId().orElse(null), "resource_name",
                v.registered().resourceName(), "resource_limit", v.limit().resourceLimit(), "description",
                v.limit().description().orElse(null), "links", self(ex, "limits", v.limit().id()));
    }

    /** Keystone's {@code _filter_endpoint}: {@code region} repeats {@code region_id}. */
    Map<String, Object> endpoint(Exchange ex, Endpoint e) {
        String region = e.regionId().orElse(null);
        return ordered("id", e.id(), "interface", e.iface(), "region_id", region, "service_id", e.serviceId(), "url", e.url(),
                "enabled", e.enabled(), "region", region, "links", self(ex, "endpoints", e.id()));
    }

    /**
     * One entry of {@code GET /v3/role_assignments} (keystone/api/role_assignments.py {@code _format_entity}); the
     * lookups give names for {@code include_names}, empty otherwise.
     */
    Map<String, Object> assignment(Exchange ex, RoleAssignment ra, Names names) {
        Assignment a = ra.assignment();
        Map<String, Object> role = ordered("id", a.roleId());
        Map<String, Object> user = ordered("id", a.userId());
        Map<String, Object> scope;
        String link;
        if (a.targetType().equals(IdentityStore.SYSTEM)) {
            scope = ordered("system", ordered("all", true));
            link = v3Url(ex) + "/system/users/" + a.userId() + "/roles/" + (ra.priorRoleId().orElse(a.roleId()));
        } else {
            Map<String, Object> project = ordered("id", a.targetId());
            names.project(a.targetId()).ifPresent(p -> {
                project.put("name", p.name());
                project.put("domain", names.domainRef(p.domainId()));
            });
            scope = ordered("project", project);
            link = v3Url(ex) + "/projects/" + a.targetId() + "/users/" + a.userId() + "/roles/"
                    + ra.priorRoleId().orElse(a.roleId());
        }
        names.role(a.roleId()).ifPresent(r -> role.put("name", r.name()));
        names.user(a.userId()).ifPresent(u -> {
            user.put("name", u.name());
            user.put("domain", names.domainRef(u.domainId()));
        });
        Map<String, Object> links = ordered("assignment", link);
        ra.priorRoleId().ifPresent(p -> links.put("prior_role", v3Url(ex) + "/roles/" + p));
        return ordered("role", role, "user", user, "scope", scope, "links", links);
    }

    /** Name lookups for {@code include_names}; {@link #NONE} when names are not asked for. */
    interface Names {
        Optional<Project> project(String id);

        Optional<User> user(String id);

        Optional<Role> role(String id);

        Map<String, Object> domainRef(String id);

        Names NONE = new Names() {
            public Optional<Project> project(String id) {
                return Optional.empty();
            }

            public Optional<User> user(String id) {
                return Optional.empty();
            }

            public Optional<Role> role(String id) {
                return Optional.empty();
            }

            public Map<String, Object> domainRef(String id) {
                return ordered("id", id);
            }
        };
    }

    private Map<String, Object> self(Exchange ex, String collection, String id) {
        return ordered("self", v3Url(ex) + "/" + collection + "/" + id);
    }

    static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put((String) kv[i], kv[i + 1]);
        }
        return map;
    }
}
