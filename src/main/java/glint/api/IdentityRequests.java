package glint.api;

import com.fasterxml.jackson.databind.JsonNode;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.http.Exchange;
import glint.identity.AuthRequest;
import glint.identity.AuthRequest.PasswordCredentials;
import glint.identity.AuthRequest.ProjectScope;
import glint.identity.AuthRequest.SystemScope;
import glint.identity.AuthRequest.Unscoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decoding of Keystone's request bodies: {@code POST /v3/auth/tokens} (keystone/auth/schema.py) and the admin
 * bodies ({@code {"project": {...}}} and so on), with Keystone's 400 texts.
 */
final class IdentityRequests {
    private IdentityRequests() {}

    /** The body of {@code POST /v3/auth/tokens}; anything that is not JSON is Keystone's ValidationError. */
    static AuthRequest auth(Exchange ex) {
        JsonNode body;
        try {
            body = ex.readJson();
        } catch (GlintException e) {
            throw validation("valid JSON", "request body");
        }
        return auth(body);
    }

    /** Keystone's auth body → {@link AuthRequest}; anything malformed is 400 with Keystone's ValidationError text. */
    static AuthRequest auth(JsonNode body) {
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
            password = Optional.of(password(identityNode.path("password")));
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

    private static PasswordCredentials password(JsonNode method) {
        JsonNode user = method.path("user");
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
        return new PasswordCredentials(userId, userName, text(domain, "id"), text(domain, "name"), user.get("password").asText());
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
        throw new GlintException(ErrorKind.UNAUTHORIZED, "The request you have made requires authentication.");
    }

    /** Keystone's ValidationError text. */
    private static GlintException validation(String attribute, String target) {
        return GlintException.badRequest("Expecting to find " + attribute + " in " + target + ". The server could not "
                + "comply with the request since it is either malformed or otherwise incorrect. The client is assumed to "
                + "be in error.");
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() && !v.asText().isEmpty() ? Optional.of(v.asText()) : Optional.empty();
    }

    /** The body's {@code {"<key>": {...}}} object; anything else is Keystone's 400. */
    static JsonNode member(Exchange ex, String key) {
        JsonNode body = ex.readJson();
        JsonNode member = body.path(key);
        if (!member.isObject()) {
            throw invalid(key, "'" + key + "' is a required property");
        }
        return member;
    }

    static String name(JsonNode node) {
        JsonNode n = node.path("name");
        if (!n.isTextual()) {
            throw invalid("name", n.isMissingNode() ? "'name' is a required property" : n + " is not of type 'string'");
        }
        String name = n.asText();
        if (name.isBlank() || name.length() > 255) {
            throw invalid("name", "'" + name + "' is not a valid name (1 to 255 characters, not only spaces)");
        }
        return name;
    }

    static Optional<String> string(JsonNode node, String field) {
        return nullableString(node, field).flatMap(v -> v);
    }

    /** Absent → empty; {@code null} → present but empty; a string → present; anything else → 400. */
    static Optional<Optional<String>> nullableString(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (v.isMissingNode()) {
            return Optional.empty();
        }
        if (v.isNull()) {
            return Optional.of(Optional.empty());
        }
        if (!v.isTextual()) {
            throw invalid(field, v + " is not of type 'string', 'null'");
        }
        return Optional.of(Optional.of(v.asText()));
    }

    static Optional<Boolean> bool(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (v.isMissingNode()) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw invalid(field, v + " is not of type 'boolean'");
        }
        return Optional.of(v.asBoolean());
    }

    /** Keystone's SchemaValidationError text. */
    static GlintException invalid(String field, String detail) {
        return GlintException.badRequest("Invalid input for field '" + field + "': " + detail);
    }
}
