package glint.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Glance's metadata definition schemas ({@code GET /v2/schemas/metadefs/…}, documents equal to Glance 25.1's
 * glance/api/v2/metadef_*.py {@code get_schema}/{@code get_collection_schema}), and the same documents with their
 * {@code $ref}/{@code allOf} resolved, which {@link SchemaValidator} checks request bodies against.
 */
public final class MetadefSchemas {
    public static final List<String> NAMES = List.of("namespace", "namespaces", "resource_type", "resource_types",
            "object", "objects", "property", "properties", "tag", "tags");

    private final Map<String, ObjectNode> documents = new LinkedHashMap<>();
    private final Map<String, JsonNode> resolved = new LinkedHashMap<>();

    public MetadefSchemas(ObjectMapper json) {
        for (String name : NAMES) {
            ObjectNode doc = load(json, name);
            documents.put(name, doc);
            JsonNode definitions = doc.path("definitions");
            resolved.put(name, resolve(doc.deepCopy(), definitions));
        }
    }

    /** The document served at {@code /v2/schemas/metadefs/{name}}. */
    public ObjectNode document(String name) {
        return documents.get(name);
    }

    /** The document for validation: references inlined. */
    public JsonNode forValidation(String name) {
        return resolved.get(name);
    }

    private static JsonNode resolve(JsonNode node, JsonNode definitions) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            JsonNode ref = o.get("$ref");
            if (ref != null && ref.isTextual() && ref.asText().startsWith("#/definitions/")) {
                JsonNode target = definitions.get(ref.asText().substring("#/definitions/".length()));
                return resolve(target.deepCopy(), definitions);
            }
            JsonNode allOf = o.get("allOf");
            if (allOf != null && allOf.isArray()) {
                ObjectNode merged = o.objectNode();
                for (JsonNode part : allOf) {
                    merged.setAll((ObjectNode) resolve(part.deepCopy(), definitions));
                }
                o.remove("allOf");
                merged.setAll(o);
                return merged;
            }
            o.remove("definitions");
            Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                f.setValue(resolve(f.getValue(), definitions));
            }
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = (ArrayNode) node;
            for (int i = 0; i < a.size(); i++) {
                a.set(i, resolve(a.get(i), definitions));
            }
        }
        return node;
    }

    private static ObjectNode load(ObjectMapper json, String name) {
        String resource = "/schemas/metadefs/" + name + ".json";
        try (InputStream in = MetadefSchemas.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return (ObjectNode) json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
