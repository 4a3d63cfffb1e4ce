package glint.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import glint.api.schema.ImageSchemas;
import glint.api.schema.SchemaValidator;
import glint.error.GlintException;
import glint.image.ImageChange;
import glint.image.NewImage;
import glint.image.Visibility;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decodes and checks image request bodies exactly where Glance's {@code RequestDeserializer} does
 * (glance/api/v2/images.py): create bodies and the two JSON-patch dialects.
 */
public final class ImageRequests {
    public static final String PATCH_V21 = "application/openstack-images-v2.1-json-patch";
    public static final String PATCH_V20 = "application/openstack-images-v2.0-json-patch";

    private static final Set<String> DISALLOWED = Set.of("direct_url", "self", "file", "schema", "stores");
    private static final Set<String> READ_ONLY = Set.of("created_at", "updated_at", "status", "checksum", "size",
            "virtual_size", "direct_url", "self", "file", "schema", "id", "os_hash_algo", "os_hash_value");
    private static final Set<String> RESERVED = Set.of("location", "deleted", "deleted_at");
    private static final String RESERVED_NAMESPACE = "os_glance";
    private static final Set<String> WRITABLE_BASE = Set.of("id", "name", "visibility", "protected", "os_hidden", "owner",
            "disk_format", "container_format", "min_disk", "min_ram", "tags");
    private static final Pattern ADJACENT_SLASH = Pattern.compile("/\\s*?/");
    private static final Pattern BAD_TILDE = Pattern.compile("~[^01]");

    private final ImageSchemas schemas;
    /** Longest extra property value: what Glance's MySQL column (TEXT) holds. */
    static final int MAX_PROPERTY_VALUE = 65_535;
    private final SchemaValidator validator;
    private final ObjectMapper json;

    public ImageRequests(ImageSchemas schemas, SchemaValidator validator, ObjectMapper json) {
        this.schemas = schemas;
        this.validator = validator;
        this.json = json;
    }

    public NewImage create(JsonNode body) {
        if (!body.isObject()) {
            throw GlintException.badRequest("Provided object does not match schema 'image': " + body + " is not of type 'object'");
        }
        for (String key : DISALLOWED) {
            if (body.has(key)) {
                throw GlintException.forbidden("Attribute '" + key + "' is read-only.");
            }
        }
        validator.validate(schemas.image(), body).ifPresent(reason -> {
            throw GlintException.badRequest("Provided object does not match schema 'image': " + reason);
        });
        Map<String, String> properties = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = body.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String key = f.getKey();
            if (WRITABLE_BASE.contains(key)) {
                continue;
            }
            if (READ_ONLY.contains(key) || key.equals("locations")) {
                throw GlintException.forbidden("Attribute '" + key + "' is read-only.");
            }
            checkPropertyName(key);
            if (RESERVED.contains(key) || key.startsWith(RESERVED_NAMESPACE)) {
                throw GlintException.forbidden("Attribute '" + key + "' is reserved.");
            }
            if (!f.getValue().isNull()) {
                properties.put(key, checkPropertyValue(key, f.getValue().asText()));
            }
        }
        List<String> tags = new ArrayList<>();
        if (body.has("tags")) {
            body.get("tags").forEach(t -> tags.add(t.asText()));
        }
        return new NewImage(text(body, "id"), text(body, "name"),
                text(body, "visibility").flatMap(Visibility::parse),
                bool(body, "protected"), bool(body, "os_hidden"), text(body, "owner"),
                text(body, "disk_format"), text(body, "container_format"),
                integer(body, "min_disk"), integer(body, "min_ram"), tags, properties);
    }

    /** A tag from a URL, checked as Glance's image_tags deserializer does (against the image schema's tags). */
    public String tag(String tag) {
        ObjectNode partial = json.createObjectNode();
        partial.putArray("tags").add(tag);
        validator.validate(schemas.image(), partial).ifPresent(reason -> {
            throw GlintException.badRequest("Provided object does not match schema 'image': " + reason);
        });
        return tag;
    }

    /** Decodes a PATCH document; {@code contentType} selects the dialect (anything else → 415 with Accept-Patch). */
    public List<ImageChange> patch(String contentType, JsonNode body) {
        String type = contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(java.util.Locale.ROOT);
        boolean draft4;
        if (type.equals(PATCH_V21)) {
            draft4 = false;
        } else if (type.equals(PATCH_V20)) {
            draft4 = true;
        } else {
            throw new GlintException(glint.error.ErrorKind.UNSUPPORTED_MEDIA_TYPE,
                    "The request has media type " + contentType + " which is not supported by the server.",
                    Map.of("Accept-Patch", PATCH_V20 + ", " + PATCH_V21), null);
        }
        if (!body.isArray()) {
            throw GlintException.badRequest("Request body must be a JSON array of operation objects.");
        }
        List<ImageChange> changes = new ArrayList<>();
        for (JsonNode raw : body) {
            if (!raw.isObject()) {
                throw GlintException.badRequest("Operations must be JSON objects.");
            }
            String op = draft4 ? opDraft4(raw) : opDraft10(raw);
            String pointer = draft4 ? rawPath(raw.get(op)) : pathDraft10(raw);
            List<String> path = decodePointer(pointer);
            int depth = path.get(0).equals("locations") ? (op.equals("replace") ? 1 : 2) : 1;
            if (path.size() != depth) {
                throw GlintException.badRequest("Invalid JSON pointer for this resource: '/" + String.join("/", path) + "'");
            }
            JsonNode value = null;
            if (!op.equals("remove")) {
                if (!raw.has("value")) {
                    throw GlintException.badRequest("Operation \"" + op + "\" requires a member named \"value\".");
                }
                value = raw.get("value");
            }
            String root = path.get(0);
            checkPropertyName(root);
            checkWritable(root);
            if (value != null) {
                // Glance's _validate_change: /locations/N is checked as a one-element locations array
                ObjectNode partial = json.createObjectNode();
                if (path.size() == 2) {
                    partial.putArray(root).add(value);
                } else {
                    partial.set(root, value);
                }
                validator.validate(schemas.image(), partial).ifPresent(reason -> {
                    throw GlintException.badRequest("Provided object does not match schema 'image': " + reason);
                });
            }
            ImageChange.Op kind = switch (op) {
                case "add" -> ImageChange.Op.ADD;
                case "replace" -> ImageChange.Op.REPLACE;
                default -> ImageChange.Op.REMOVE;
            };
            Object javaValue = value == null ? null
                    : root.equals("locations") ? json.convertValue(value, Object.class) : toJava(root, value);
            if (javaValue instanceof String text && !WRITABLE_BASE.contains(root)) {
                checkPropertyValue(root, text);
            }
            changes.add(new ImageChange(kind, root, javaValue, draft4, path.size() == 2 ? path.get(1) : null));
        }
        return changes;
    }

    /**
     * Glance refuses names over 255 characters on create ("Custom property should not be greater than 255
     * characters."); a PATCH with one would overflow its database column, so the same check applies there. An empty
     * name (a pointer of just "/") is refused too.
     */
    private static void checkPropertyName(String name) {
        if (name.length() > 255) {
            throw GlintException.badRequest("Custom property should not be greater than 255 characters.");
        }
        if (name.isEmpty()) {
            throw GlintException.badRequest("Property names must not be empty.");
        }
    }

    /**
     * Glance's schema leaves extra property values unbounded and its MySQL column (TEXT) ends them at 65 535 bytes,
     * with a database error (500) past it; here that bound is a 400, on every database, so that one image cannot
     * carry its quota of megabyte values (each rendered whole on every read).
     */
    private static String checkPropertyValue(String name, String value) {
        if (value.length() > MAX_PROPERTY_VALUE) {
            throw GlintException.badRequest("Provided object does not match schema 'image': the value of '" + name
                    + "' is longer than " + MAX_PROPERTY_VALUE + " characters");
        }
        return value;
    }

    private static void checkWritable(String root) {
        if (READ_ONLY.contains(root)) {
            throw GlintException.forbidden("Attribute '" + root + "' is read-only.");
        }
        if (RESERVED.contains(root) || root.startsWith(RESERVED_NAMESPACE)) {
            throw GlintException.forbidden("Attribute '" + root + "' is reserved.");
        }
    }

    private static Object toJava(String attribute, JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        if (attribute.equals("tags")) {
            List<String> tags = new ArrayList<>();
            value.forEach(t -> tags.add(t.asText()));
            return tags;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isIntegralNumber()) {
            if (!value.canConvertToInt()) {
                throw GlintException.badRequest("Invalid value '" + value + "' for parameter '" + attribute + "': out of range.");
            }
            return value.intValue();
        }
        return value.isTextual() ? value.textValue() : value.toString();
    }

    private static String opDraft10(JsonNode raw) {
        JsonNode op = raw.get("op");
        if (op == null) {
            throw GlintException.badRequest("Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.");
        }
        String value = op.asText();
        if (!value.equals("add") && !value.equals("remove") && !value.equals("replace")) {
            throw GlintException.badRequest("Invalid operation: `" + value + "`. It must be one of the following: add, remove, replace.");
        }
        return value;
    }

    private static String opDraft4(JsonNode raw) {
        String found = null;
        for (String op : List.of("add", "remove", "replace")) {
            if (raw.has(op)) {
                if (found != null) {
                    throw GlintException.badRequest("Operation objects must contain only one member named \"add\", \"remove\", or \"replace\".");
                }
                found = op;
            }
        }
        if (found == null) {
            throw GlintException.badRequest("Operation objects must contain exactly one member named \"add\", \"remove\", or \"replace\".");
        }
        return found;
    }

    private static String pathDraft10(JsonNode raw) {
        if (!raw.has("path")) {
            throw GlintException.badRequest("Unable to find 'path' in JSON Schema change");
        }
        return rawPath(raw.get("path"));
    }

    private static String rawPath(JsonNode node) {
        if (node == null || !node.isTextual()) {
            throw GlintException.badRequest("Pointer `" + node + "` does not start with \"/\".");
        }
        return node.textValue();
    }

    /** Glance's limited JSON pointer ({@code _decode_json_pointer} / {@code _validate_json_pointer}). */
    static List<String> decodePointer(String pointer) {
        if (!pointer.startsWith("/")) {
            throw GlintException.badRequest("Pointer `" + pointer + "` does not start with \"/\".");
        }
        if (ADJACENT_SLASH.matcher(pointer.substring(1)).find()) {
            throw GlintException.badRequest("Pointer `" + pointer + "` contains adjacent \"/\".");
        }
        if (pointer.length() > 1 && pointer.endsWith("/")) {
            throw GlintException.badRequest("Pointer `" + pointer + "` end with \"/\".");
        }
        if (pointer.substring(1).strip().equals("/")) {
            throw GlintException.badRequest("Pointer `" + pointer + "` does not contains valid token.");
        }
        if (BAD_TILDE.matcher(pointer).find() || pointer.endsWith("~")) {
            throw GlintException.badRequest("Pointer `" + pointer + "` contains \"~\" not part of a recognized escape sequence.");
        }
        List<String> parts = new ArrayList<>();
        String stripped = pointer.replaceFirst("^/+", "");
        for (String part : stripped.split("/", -1)) {
            parts.add(part.replace("~1", "/").replace("~0", "~").strip());
        }
        return parts;
    }

    private static Optional<String> text(JsonNode body, String key) {
        JsonNode v = body.get(key);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    private static Optional<Boolean> bool(JsonNode body, String key) {
        JsonNode v = body.get(key);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.booleanValue());
    }

    private static Optional<Integer> integer(JsonNode body, String key) {
        JsonNode v = body.get(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.canConvertToInt()) {
            throw GlintException.badRequest("Invalid value '" + v + "' for parameter '" + key + "': out of range.");
        }
        return Optional.of(v.intValue());
    }
}
