package glint.api;

import com.fasterxml.jackson.databind.JsonNode;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.http.Exchange;
import glint.http.Router;
import glint.identity.AuthRequest;
import glint.identity.AuthRequest.PasswordCredentials;
import glint.identity.AuthRequest.ProjectScope;
import glint.identity.AuthRequest.SystemScope;
import glint.identity.AuthRequest.Unscoped;
import glint.identity.Catalog;
import glint.identity.CatalogRecords;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityService;
import glint.identity.TokenService;
import glint.identity.ValidToken;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The part of Keystone's v3 API the OpenStack clients need to log in, under {@code /identity}: version discovery,
 * {@code /v3/auth/tokens} (issue, validate, check, revoke), {@code /v3/auth/projects} and {@code /v3/auth/catalog}.
 * These routes are public to the router; like Keystone, they check {@code X-Auth-Token} themselves where needed.
 * Shapes follow keystone/api/auth.py, keystone/api/discovery.py and keystone/common/render_token.py.
 */
public final class IdentityApi {
    public static final String PREFIX = "/identity";
    private static final DateTimeFormatter KEYSTONE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final String UNAUTHORIZED = "The request you have made requires authentication.";

    private final IdentityService identity;
    private final TokenService tokens;
    private final Optional<String> publicEndpoint;
    private final Catalog catalog;

    public IdentityApi(IdentityService identity, TokenService tokens, Optional<String> publicEndpoint, Catalog catalog) {
        this.identity = identity;
        this.tokens = tokens;
        this.publicEndpoint = publicEndpoint;
        this.catalog = catalog;
    }

    public void register(Router router) {
        router.addPublic("GET", PREFIX, ex -> {
            ex.setHeader("Location", v3Url(ex) + "/");
            ex.sendJson(300, Map.of("versions", Map.of("values", List.of(version(ex)))));
        });
        router.addPublic("GET", PREFIX + "/v3", ex -> ex.sendJson(200, Map.of("version", version(ex))));
        router.addPublic("POST", PREFIX + "/v3/auth/tokens", this::issue);
        router.addPublic("GET", PREFIX + "/v3/auth/tokens", ex -> {
            ValidToken subject = subject(ex, "identity:validate_token");
            ex.setHeader("X-Subject-Token", subject.id());
            ex.sendJson(200, tokenBody(ex, subject, ex.queryParam("nocatalog").isEmpty()));
        });
        router.addPublic("HEAD", PREFIX + "/v3/auth/tokens", ex -> {
            ValidToken subject = subject(ex, "identity:check_token");
            ex.setHeader("X-Subject-Token", subject.id());
            ex.sendEmpty(200);
        });
        router.addPublic("DELETE", PREFIX + "/v3/auth/tokens", ex -> {
            ValidToken subject = subject(ex, "identity:revoke_token");
            tokens.revoke(subject);
            ex.sendEmpty(204);
        });
        router.addPublic("GET", PREFIX + "/v3/auth/projects", ex -> {
            ValidToken caller = caller(ex);
            List<Map<String, Object>> projects = identity.projectsOf(caller.user().id()).stream().map(p -> project(ex, p)).toList();
            ex.sendJson(200, Map.of("projects", projects, "links", links(ex, "/auth/projects")));
        });
        router.addPublic("GET", PREFIX + "/v3/auth/catalog", ex -> {
            ValidToken caller = caller(ex);
            if (caller.project().isEmpty() && !caller.token().system()) {
                // Keystone: "A project-scoped token is required to produce a service catalog."
                throw GlintException.forbidden("A project-scoped token is required to produce a service catalog.");
            }
            ex.sendJson(200, Map.of("catalog", catalog(ex, caller), "links", links(ex, "/auth/catalog")));
        });
    }

    private void issue(Exchange ex) {
        JsonNode body;
        try {
            body = ex.readJson();
        } catch (GlintException e) {
            throw validation("valid JSON", "request body");
        }
        ValidToken token;
        try {
            token = tokens.issue(parse(body));
        } catch (GlintException e) {
            throw e.kind() == ErrorKind.UNAUTHORIZED ? unauthorized(ex, e.getMessage()) : e;
        }
        ex.setHeader("X-Subject-Token", token.id());
        ex.sendJson(201, tokenBody(ex, token, ex.queryParam("nocatalog").isEmpty()));
    }

    /** The token in {@code X-Auth-Token}: Keystone answers 401 when it is missing or invalid. */
    private ValidToken caller(Exchange ex) {
        return ex.header("X-Auth-Token").map(String::strip).flatMap(tokens::validate)
                .orElseThrow(() -> unauthorized(ex, UNAUTHORIZED));
    }

    /**
     * The token in {@code X-Subject-Token} (404 when invalid, as Keystone's TokenNotFound), after Keystone's policy
     * for the token API: an admin, a system reader, a service, or the token's own user
     * (keystone/common/policies/token.py).
     */
    private ValidToken subject(Exchange ex, String rule) {
        ValidToken caller = caller(ex);
        String id = ex.header("X-Subject-Token").map(String::strip).orElse("");
        ValidToken subject = tokens.validate(id)
                .orElseThrow(() -> GlintException.notFound("Could not find token: " + id + "."));
        boolean allowed = hasRole(caller, "admin") || hasRole(caller, "service")
                || (caller.token().system() && hasRole(caller, "reader"))
                || caller.user().id().equals(subject.user().id());
        if (rule.equals("identity:revoke_token")) {
            allowed = hasRole(caller, "admin") || caller.user().id().equals(subject.user().id());
        }
        if (!allowed) {
            throw GlintException.forbidden("You are not authorized to perform the requested action: " + rule + ".");
        }
        return subject;
    }

    private static boolean hasRole(ValidToken token, String role) {
        return token.roles().stream().anyMatch(r -> r.name().equals(role));
    }

    /** Keystone's auth body → {@link AuthRequest}; anything malformed is 400 with Keystone's ValidationError text. */
    static AuthRequest parse(JsonNode body) {
        JsonNode auth = body.path("auth");
        if (!auth.isObject()) {
            throw validation("auth", "request body");
        }
        JsonNode identityNode = auth.path("identity");
        JsonNode methodsNode = identityNode.path("methods");
        if (!identityNode.isObject() || !methodsNode.isArray() || methodsNode.isEmpty()) {
            throw GlintException.badRequest("Invalid input for field 'identity': 'methods' is a required property");
        }
        List<String> methods = new ArrayList<>();
        for (JsonNode m : methodsNode) {
            if (!m.isTextual()) {
                throw GlintException.badRequest("Invalid input for field 'identity/methods': " + m + " is not of type 'string'");
            }
            if (!methods.contains(m.asText())) {
                methods.add(m.asText());
            }
        }
        for (String m : methods) {
            if (!identityNode.path(m).isObject()) {
                throw validation(m, "identity");
            }
        }
        Optional<PasswordCredentials> password = Optional.empty();
        if (methods.contains("password")) {
            JsonNode user = identityNode.path("password").path("user");
            if (!user.isObject()) {
                throw validation("user", "password");
            }
            JsonNode domain = user.path("domain");
            Optional<String> userId = text(user, "id");
            Optional<String> userName = text(user, "name");
            if (userId.isEmpty() && userName.isEmpty()) {
                throw validation("id or name", "user");
            }
            if (userName.isPresent() && userId.isEmpty() && !domain.isObject()) {
                throw validation("domain", "user");
            }
            if (userId.isEmpty() && text(domain, "id").isEmpty() && text(domain, "name").isEmpty()) {
                throw validation("id or name", "domain");
            }
            if (!user.path("password").isTextual()) {
                throw validation("password", "user");
            }
            password = Optional.of(new PasswordCredentials(userId, userName, text(domain, "id"), text(domain, "name"),
                    user.get("password").asText()));
        }
        Optional<String> token = Optional.empty();
        if (methods.contains("token")) {
            token = text(identityNode.path("token"), "id");
            if (token.isEmpty()) {
                throw validation("id", "token");
            }
        }
        return new AuthRequest(methods, password, token, scope(auth.path("scope")));
    }

    private static AuthRequest.Scope scope(JsonNode scope) {
        if (scope.isMissingNode() || scope.isNull()) {
            return new Unscoped(false);
        }
        if (scope.isTextual() && scope.asText().equals("unscoped")) {
            return new Unscoped(true);
        }
        int given = 0;
        for (String kind : List.of("project", "domain", "unscoped", "system", "OS-TRUST:trust")) {
            given += scope.has(kind) ? 1 : 0;
        }
        if (given != 1) {
            throw validation("system, project, domain, OS-TRUST:trust or unscoped", "scope");
        }
        if (scope.has("unscoped")) {
            return new Unscoped(true);
        }
        if (scope.has("system")) {
            return new SystemScope();
        }
        if (scope.has("project")) {
            JsonNode p = scope.get("project");
            Optional<String> id = text(p, "id");
            Optional<String> name = text(p, "name");
            if (id.isEmpty() && name.isEmpty()) {
                throw validation("id or name", "project");
            }
            JsonNode domain = p.path("domain");
            if (name.isPresent() && id.isEmpty() && text(domain, "id").isEmpty() && text(domain, "name").isEmpty()) {
                throw validation("domain", "project");
            }
            return new ProjectScope(id, name, text(domain, "id"), text(domain, "name"));
        }
        // domain and trust scopes: nobody has roles on a domain or trusts here
        throw new GlintException(ErrorKind.UNAUTHORIZED, UNAUTHORIZED);
    }

    private Map<String, Object> tokenBody(Exchange ex, ValidToken v, boolean withCatalog) {
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
        if (withCatalog && (v.project().isPresent() || v.token().system())) {
            t.put("catalog", catalog(ex, v));
        }
        return Map.of("token", t);
    }

    /** Keystone's v3 catalog (keystone/catalog/backends/sql.py {@code get_v3_catalog}) of the token. */
    private List<Object> catalog(Exchange ex, ValidToken token) {
        List<Object> services = new ArrayList<>();
        for (Catalog.Entry s : catalog.of(token.user().id(), token.project().map(Project::id), baseUrl(ex))) {
            List<Object> endpoints = new ArrayList<>();
            for (CatalogRecords.Endpoint e : s.endpoints()) {
                String region = e.regionId().orElse(null);
                endpoints.add(ordered("id", e.id(), "interface", e.iface(), "region_id", region, "url", e.url(),
                        "region", region));
            }
            services.add(ordered("endpoints", endpoints, "id", s.service().id(), "type", s.service().type(),
                    "name", s.service().name()));
        }
        return services;
    }

    private Map<String, Object> project(Exchange ex, Project p) {
        return ordered("id", p.id(), "name", p.name(), "domain_id", p.domainId(), "description", p.description().orElse(""),
                "enabled", p.enabled(), "is_domain", false, "parent_id", p.domainId(),
                "links", Map.of("self", v3Url(ex) + "/projects/" + p.id()));
    }

    private Map<String, Object> version(Exchange ex) {
        return ordered("id", "v3.14", "status", "stable", "updated", "2020-04-07T00:00:00Z",
                "links", List.of(ordered("rel", "self", "href", v3Url(ex) + "/")),
                "media-types", List.of(ordered("base", "application/json", "type", "application/vnd.openstack.identity-v3+json")));
    }

    private Map<String, Object> links(Exchange ex, String path) {
        return ordered("self", v3Url(ex) + path, "previous", null, "next", null);
    }

    /** Keystone's {@code base_url()}: the public endpoint when configured, else the URL the client used. */
    private String baseUrl(Exchange ex) {
        return publicEndpoint.orElseGet(() -> "http://" + ex.header("Host").orElse("127.0.0.1"));
    }

    private String v3Url(Exchange ex) {
        return baseUrl(ex) + PREFIX + "/v3";
    }

    /** Keystone's 401: its error body, and {@code WWW-Authenticate: Keystone uri="…/v3"} (keystone/server/flask/application.py). */
    private GlintException unauthorized(Exchange ex, String message) {
        return new GlintException(ErrorKind.UNAUTHORIZED, message,
                Map.of("WWW-Authenticate", "Keystone uri=\"" + v3Url(ex) + "\""), null);
    }

    private static GlintException validation(String attribute, String target) {
        return GlintException.badRequest("Expecting to find " + attribute + " in " + target + ". The server could not "
                + "comply with the request since it is either malformed or otherwise incorrect. The client is assumed to "
                + "be in error.");
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() && !v.asText().isEmpty() ? Optional.of(v.asText()) : Optional.empty();
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put((String) kv[i], kv[i + 1]);
        }
        return map;
    }
}
