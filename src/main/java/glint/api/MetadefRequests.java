package glint.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import glint.api.schema.MetadefSchemas;
import glint.api.schema.SchemaValidator;
import glint.error.GlintException;
import glint.http.Exchange;
import glint.metadef.MetadefObject;
import glint.metadef.MetadefTag;
import glint.metadef.NamespaceContents;
import glint.metadef.NamespaceFields;
import glint.metadef.PropertyDefinition;
import glint.metadef.ResourceTypeAssociation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decoding of metadef request bodies as Glance's RequestDeserializers do (glance/api/v2/metadef_*.py): read-only
 * attributes are 403, the body is validated against the metadef schema (400), then mapped the way Glance's WSME
 * models map it — a property definition keeps only PropertyType's attributes, in its order, with its coercions
 * (integers for minimum/maximum, {@code default} as text, {@code enum} of strings).
 */
public final class MetadefRequests {
    /** glance/api/v2/model/metadef_property_type.py, in attribute order (as WSME renders them). */
    private static final List<String> PROPERTY_ATTRIBUTES = List.of("type", "title", "description", "operators",
            "default", "readonly", "minimum", "maximum", "enum", "pattern", "minLength", "maxLength", "confidential",
            "items", "uniqueItems", "minItems", "maxItems", "additionalItems");
    private static final Set<String> INTEGERS = Set.of("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems");
    private static final Set<String> BOOLEANS = Set.of("readonly", "confidential", "uniqueItems", "additionalItems");

    private final MetadefSchemas schemas;
    private final SchemaValidator validator;
    private final ObjectMapper json;

    public MetadefRequests(MetadefSchemas schemas, SchemaValidator validator, ObjectMapper json) {
        this.schemas = schemas;
        this.validator = validator;
        this.json = json;
    }

    /** The JSON body; none at all is Glance's "Body expected in request." */
    public static JsonNode body(Exchange ex) {
        if (!ex.hasBody()) {
            throw GlintException.badRequest("Body expected in request.");
        }
        return ex.readJson();
    }

    public record NamespaceRequest(NamespaceFields fields, NamespaceContents contents) {}

    public NamespaceRequest namespace(JsonNode body) {
        readOnly(body, List.of("self", "schema", "created_at", "updated_at"));
        validate("namespace", body);
        NamespaceFields fields = new NamespaceFields(body.get("namespace").asText(), text(body, "display_name"),
                text(body, "description"), text(body, "visibility"),
                body.hasNonNull("protected") ? Optional.of(body.get("protected").asBoolean()) : Optional.empty(),
                text(body, "owner"));
        List<ResourceTypeAssociation> associations = new ArrayList<>();
        for (JsonNode a : body.path("resource_type_associations")) {
            // nested: only the namespace schema applies (timestamps from a GET may come back, as glanceclient sends them)
            associations.add(associationOf(a));
        }
        List<MetadefObject> objects = new ArrayList<>();
        for (JsonNode o : body.path("objects")) {
            objects.add(objectOf(o));
        }
        List<MetadefTag> tags = new ArrayList<>();
        for (JsonNode t : body.path("tags")) {
            if (!t.hasNonNull("name")) {
                throw GlintException.badRequest("Invalid input for field/attribute tags. Value: '" + t
                        + "'. Mandatory field missing.");
            }
            tags.add(new MetadefTag(t.get("name").asText(), Instant.EPOCH, Instant.EPOCH));
        }
        return new NamespaceRequest(fields, new NamespaceContents(associations, properties(body.get("properties")),
                objects, tags));
    }

    public MetadefObject object(JsonNode body) {
        readOnly(body, List.of("self", "schema", "created_at", "updated_at"));
        validate("object", body);
        return objectOf(body);
    }

    private MetadefObject objectOf(JsonNode o) {
        if (!o.hasNonNull("name")) {
            throw GlintException.badRequest("Invalid input for field/attribute objects. Value: '" + o
                    + "'. Mandatory field missing.");
        }
        Optional<List<String>> required = Optional.empty();
        if (o.hasNonNull("required")) {
            List<String> names = new ArrayList<>();
            o.get("required").forEach(n -> names.add(n.asText()));
            required = Optional.of(names);
        }
        return new MetadefObject(o.get("name").asText(), text(o, "description"), required,
                properties(o.get("properties")), Instant.EPOCH, Instant.EPOCH);
    }

    /** A property definition (POST/PUT …/properties): the name and the rest as Glance stores it. */
    public PropertyDefinition property(JsonNode body) {
        readOnly(body, List.of("created_at", "updated_at"));
        validate("property", body);
        return new PropertyDefinition(body.get("name").asText(), propertyType(body).toString());
    }

    public ResourceTypeAssociation association(JsonNode body) {
        readOnly(body, List.of("created_at", "updated_at"));
        validate("resource_type", body);
        return associationOf(body);
    }

    private static ResourceTypeAssociation associationOf(JsonNode a) {
        if (!a.hasNonNull("name")) {
            throw GlintException.badRequest("Invalid input for field/attribute resource_type_associations. Value: '"
                    + a + "'. Mandatory field missing.");
        }
        return new ResourceTypeAssociation(a.get("name").asText(), text(a, "prefix"), text(a, "properties_target"),
                Instant.EPOCH, Instant.EPOCH);
    }

    public String tagName(JsonNode body) {
        readOnly(body, List.of("created_at", "updated_at"));
        validate("tag", body);
        return body.get("name").asText();
    }

    /** {@code POST …/tags}: {@code {"tags": [{"name": …}, …]}}. */
    public List<String> tagNames(JsonNode body) {
        validate("tags", body);
        List<String> names = new ArrayList<>();
        body.path("tags").forEach(t -> names.add(t.get("name").asText()));
        return names;
    }

    /** The tag schema check Glance makes on the name in {@code POST …/tags/{name}}. */
    public void checkTagName(String name) {
        validate("tag", json.createObjectNode().put("name", name));
    }

    private List<PropertyDefinition> properties(JsonNode map) {
        List<PropertyDefinition> out = new ArrayList<>();
        if (map == null || map.isNull()) {
            return out;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = map.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            out.add(new PropertyDefinition(f.getKey(), propertyType(f.getValue()).toString()));
        }
        return out;
    }

    private ObjectNode propertyType(JsonNode body) {
        Iterator<String> names = body.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.equals("name") && !PROPERTY_ATTRIBUTES.contains(name)) {
                throw GlintException.badRequest("Unknown attribute for argument None: " + name);
            }
        }
        ObjectNode out = json.createObjectNode();
        for (String attr : PROPERTY_ATTRIBUTES) {
            JsonNode v = body.get(attr);
            if (v == null || v.isNull()) {
                continue;
            }
            if (INTEGERS.contains(attr)) {
                if (!v.isNumber() || !v.canConvertToLong()) {
                    throw wrongType(attr, v, "int"); // 1e400 or 1e30 is no integer a column can hold, not Long.MAX_VALUE
                }
                out.put(attr, v.asLong());
            } else if (BOOLEANS.contains(attr)) {
                if (!v.isBoolean()) {
                    throw wrongType(attr, v, "bool");
                }
                out.set(attr, v);
            } else if (attr.equals("default")) {
                out.put(attr, pythonText(v));
            } else if (attr.equals("operators") || attr.equals("enum")) {
                out.set(attr, strings(attr, v));
            } else if (attr.equals("items")) {
                ObjectNode items = out.putObject("items");
                if (v.hasNonNull("type")) {
                    items.set("type", v.get("type"));
                }
                if (v.hasNonNull("enum")) {
                    items.set("enum", strings("enum", v.get("enum")));
                }
            } else {
                if (!v.isTextual()) {
                    throw wrongType(attr, v, "str");
                }
                out.set(attr, v);
            }
        }
        return out;
    }

    private ArrayNode strings(String attr, JsonNode v) {
        if (!v.isArray()) {
            throw wrongType(attr, v, "list");
        }
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                throw wrongType(attr, v, "str");
            }
        }
        return (ArrayNode) v;
    }

    private static GlintException wrongType(String attr, JsonNode value, String expected) {
        return GlintException.badRequest("Invalid input for field/attribute " + attr + ". Value: '" + value
                + "'. Wrong type. Expected '<class '" + expected + "'>'");
    }

    /** WSME stores {@code default} as text: Python's str() of the JSON value. */
    private static String pythonText(JsonNode v) {
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isBoolean()) {
            return v.asBoolean() ? "True" : "False";
        }
        return v.toString();
    }

    private void validate(String schema, JsonNode body) {
        String name = schemas.document(schema).get("name").asText();
        // Glance's metadef schemas name no top-level type; a body that is not an object can't be a definition
        if (!body.isObject()) {
            throw GlintException.badRequest("Provided object does not match schema '" + name + "': " + body
                    + " is not of type 'object'");
        }
        validator.validate(schemas.forValidation(schema), body).ifPresent(reason -> {
            throw GlintException.badRequest("Provided object does not match schema '" + name + "': " + reason);
        });
    }

    private static void readOnly(JsonNode body, List<String> attributes) {
        if (!body.isObject()) {
            return;
        }
        for (String a : attributes) {
            if (body.has(a)) {
                throw GlintException.forbidden("Attribute '" + a + "' is read-only.");
            }
        }
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }
}
