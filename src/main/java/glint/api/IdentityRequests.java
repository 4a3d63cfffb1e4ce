package glint.api;

import com.fasterxml.jackson.databind.JsonNode;
import glint.error.GlintException;
import glint.http.Exchange;
import java.util.Optional;

/** Decoding of Keystone's admin request bodies ({@code {"project": {...}}} and so on), with Keystone's 400 texts. */
final class IdentityRequests {
    private IdentityRequests() {}

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
