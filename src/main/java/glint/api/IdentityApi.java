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
import glint.identity.BuiltinAuthenticator;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityService;
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
 */
public final class IdentityApi {
    public static final String PREFIX = "/identity";
    private static final DateTimeFormatter KEYSTONE_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final IdentityService identity;
    private final BuiltinAuthenticator authenticator;
    private final Optional<String> publicEndpoint;
    private final String region;

    public IdentityApi(IdentityService identity, BuiltinAuthenticator authenticator, Optional<String> publicEndpoint, String region) {
        this.identity = identity;
        this.authenticator = authenticator;
        this.publicEndpoint = publicEndpoint;
        this.region = region;
    }

    public void register(Router router) {
        router.addPublic("GET", PREFIX, ex -> ex.sendJson(300, Map.of("versions", Map.of("values", List.of(version(ex))))));
        router.addPublic("GET", PREFIX + "/v3", ex -> ex.sendJson(200, Map.of("version", version(ex))));
        router.addPublic("POST", PREFIX + "/v3/auth/tokens", this::issue);
        router.addPublic("GET", PREFIX + "/v3/auth/tokens", ex -> {
            ValidToken subject = subject(ex);
            ex.setHeader("X-Subject-Token", subject.id());
            ex.sendJson(200, tokenBody(ex, subject, !ex.queryParam("nocatalog").isPresent()));
        });
        router.addPublic("HEAD", PREFIX + "/v3/auth/tokens", ex -> {
            ValidToken subject = subject(ex);
            ex.setHeader("X-Subject-Token", subject.id());
            ex.sendEmpty(200);
        });
        router.addPublic("DELETE", PREFIX + "/v3/auth/tokens", ex -> {
            ValidToken subject = subject(ex);
            identity.revoke(subject);
            authenticator.evict(subject.id());
            ex.sendEmpty(204);
        });
        router.addPublic("GET", PREFIX + "/v3/auth/projects", ex -> {
            ValidToken caller = caller(ex);
            List<Map<String, Object>> projects = identity.projectsOf(caller.user().id()).stream().map(this::project).toList();
            ex.sendJson(200, Map.of("projects", projects, "links", links(ex, "/v3/auth/projects")));
        });
        router.addPublic("GET", PREFIX + "/v3/auth/catalog", ex -> {
            caller(ex);
            ex.sendJson(200, Map.of("catalog", catalog(ex), "links", links(ex, "/v3/auth/catalog")));
        });
    }

    private void issue(Exchange ex) {
        AuthRequest request = parse(ex.readJson());
        ValidToken token = identity.authenticate(request);
        ex.setHeader("X-Subject-Token", token.id());
        ex.sendJson(201, tokenBody(ex, token, !ex.queryParam("nocatalog").isPresent()));
    }

    private ValidToken caller(Exchange ex) {
        return ex.header("X-Auth-Token").flatMap(identity::validate)
                .orElseThrow(() -> new GlintException(ErrorKind.UNAUTHORIZED, "The request you have made requires authentication."));
    }

    private ValidToken subject(Exchange ex) {
        caller(ex);
        String id = ex.header("X-Subject-Token").orElseThrow(() -> new GlintException(ErrorKind.NOT_FOUND, "Could not find token."));
        return identity.validate(id).orElseThrow(() -> new GlintException(ErrorKind.NOT_FOUND, "Could not find token: " + id + "."));
    }

    /** Keystone's auth body → {@link AuthRequest}; anything malformed is 400 as Keystone's schema validation says. */
    static AuthRequest parse(JsonNode body) {
        JsonNode auth = body.path("auth");
        JsonNode identityNode = auth.path("identity");
        JsonNode methodsNode = identityNode.path("methods");
        if (!auth.isObject() || !identityNode.isObject() || !methodsNode.isArray() || methodsNode.isEmpty()) {
            throw malformed("'identity' with 'methods' is a required property");
        }
        List<String> methods = new ArrayList<>();
        methodsNode.forEach(m -> methods.add(m.asText()));
        Optional<PasswordCredentials> password = Optional.empty();
        if (methods.contains("password")) {
            JsonNode user = identityNode.path("password").path("user");
            if (!user.isObject() || !user.path("password").isTextual()) {
                throw malformed("'password' is a required property");
            }
            JsonNode domain = user.path("domain");
            password = Optional.of(new PasswordCredentials(text(user, "id"), text(user, "name"), text(domain, "id"),
                    text(domain, "name"), user.get("password").asText()));
            if (password.get().userId().isEmpty() && (password.get().userName().isEmpty()
                    || (password.get().domainId().isEmpty() && password.get().domainName().isEmpty()))) {
                throw malformed("a user needs an id, or a name and a domain");
            }
        }
        Optional<String> token = methods.contains("token") ? text(identityNode.path("token"), "id") : Optional.empty();
        if (methods.contains("token") && token.isEmpty()) {
            throw malformed("'id' is a required property of 'token'");
        }
        JsonNode scopeNode = auth.path("scope");
        AuthRequest.Scope scope;
        if (scopeNode.has("project")) {
            JsonNode p = scopeNode.get("project");
            scope = new ProjectScope(text(p, "id"), text(p, "name"), text(p.path("domain"), "id"), text(p.path("domain"), "name"));
        } else if (scopeNode.has("system")) {
            scope = new SystemScope();
        } else if (scopeNode.isMissingNode() || scopeNode.isNull() || scopeNode.isEmpty()) {
            scope = new Unscoped();
        } else {
            throw new GlintException(ErrorKind.UNAUTHORIZED, "The request you have made requires authentication.");
        }
        return new AuthRequest(methods, password, token, scope);
    }

    private Map<String, Object> tokenBody(Exchange ex, ValidToken v, boolean withCatalog) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("methods", v.token().methods());
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("domain", Map.of("id", v.userDomain().id(), "name", v.userDomain().name()));
        user.put("id", v.user().id());
        user.put("name", v.user().name());
        user.put("password_expires_at", null);
        t.put("user", user);
        t.put("audit_ids", v.token().auditIds());
        t.put("expires_at", KEYSTONE_TIME.format(v.token().expiresAt()));
        t.put("issued_at", KEYSTONE_TIME.format(v.token().issuedAt()));
        v.project().ifPresent(p -> {
            Map<String, Object> project = new LinkedHashMap<>();
            project.put("domain", v.projectDomain().map(d -> Map.of("id", d.id(), "name", d.name()))
                    .orElse(Map.of("id", p.domainId(), "name", p.domainId())));
            project.put("id", p.id());
            project.put("name", p.name());
            t.put("project", project);
            t.put("is_domain", false);
        });
        if (v.token().system()) {
            t.put("system", Map.of("all", true));
        }
        if (!v.roles().isEmpty()) {
            t.put("roles", v.roles().stream().map(r -> Map.of("id", r.id(), "name", r.name())).toList());
        }
        if (withCatalog && (v.project().isPresent() || v.token().system())) {
            t.put("catalog", catalog(ex));
        }
        return Map.of("token", t);
    }

    private List<Object> catalog(Exchange ex) {
        String base = baseUrl(ex);
        return List.of(service("image", "glance", base), service("identity", "keystone", base + PREFIX));
    }

    private Map<String, Object> service(String type, String name, String url) {
        List<Object> endpoints = new ArrayList<>();
        for (String iface : List.of("public", "internal", "admin")) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", type + "-" + iface);
            e.put("interface", iface);
            e.put("region_id", region);
            e.put("url", url);
            e.put("region", region);
            endpoints.add(e);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("endpoints", endpoints);
        s.put("id", type);
        s.put("type", type);
        s.put("name", name);
        return s;
    }

    private Map<String, Object> project(Project p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("name", p.name());
        m.put("domain_id", p.domainId());
        m.put("description", p.description().orElse(""));
        m.put("enabled", p.enabled());
        m.put("is_domain", false);
        m.put("parent_id", p.domainId());
        return m;
    }

    private Map<String, Object> version(Exchange ex) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", "v3.14");
        v.put("status", "stable");
        v.put("updated", "2020-04-07T00:00:00Z");
        v.put("links", List.of(Map.of("rel", "self", "href", baseUrl(ex) + PREFIX + "/v3/")));
        v.put("media-types", List.of(Map.of("base", "application/json", "type", "application/vnd.openstack.identity-v3+json")));
        return v;
    }

    private Map<String, Object> links(Exchange ex, String path) {
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("self", baseUrl(ex) + PREFIX + path);
        links.put("previous", null);
        links.put("next", null);
        return links;
    }

    private String baseUrl(Exchange ex) {
        return publicEndpoint.orElseGet(() -> "http://" + ex.header("Host").orElse("127.0.0.1"));
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() && !v.asText().isEmpty() ? Optional.of(v.asText()) : Optional.empty();
    }

    private static GlintException malformed(String detail) {
        return GlintException.badRequest("Invalid input for field 'identity': " + detail);
    }
}
