package glint.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.api.schema.SchemaValidator;
import glint.error.GlintException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body of 2.17's {@code POST /v2/images/{id}/locations}, checked against Glance's {@code add_location} schema
 * ({@code get_add_location_properties} in glance/api/v2/images.py): {@code url} required, {@code validation_data}
 * with only {@code os_hash_algo} (sha1, sha256, sha512, md5) and {@code os_hash_value}, each requiring the other.
 */
public final class LocationRequests {
    private static final String SCHEMA = """
            {"type": "object", "required": ["url"], "properties": {
              "url": {"type": "string"},
              "validation_data": {"type": "object", "additionalProperties": false, "properties": {
                "os_hash_algo": {"type": "string", "maxLength": 64, "enum": ["sha1", "sha256", "sha512", "md5"]},
                "os_hash_value": {"type": "string", "maxLength": 128}}}}}""";

    private final SchemaValidator validator;
    private final JsonNode schema;

    public LocationRequests(SchemaValidator validator, ObjectMapper json) {
        this.validator = validator;
        try {
            this.schema = json.readTree(SCHEMA);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws GlintException 400 when the body does not match */
    public JsonNode addLocation(JsonNode body) {
        validator.validate(schema, body).ifPresent(reason -> {
            throw invalid(reason);
        });
        JsonNode data = body.path("validation_data");
        for (String[] pair : new String[][] {{"os_hash_value", "os_hash_algo"}, {"os_hash_algo", "os_hash_value"}}) {
            if (data.has(pair[0]) && !data.has(pair[1])) {
                throw invalid("'" + pair[1] + "' is a dependency of '" + pair[0] + "'");
            }
        }
        return body;
    }

    public Map<String, String> validationData(JsonNode body) {
        Map<String, String> data = new LinkedHashMap<>();
        body.path("validation_data").fields().forEachRemaining(f -> data.put(f.getKey(), f.getValue().textValue()));
        return data;
    }

    private static GlintException invalid(String reason) {
        return GlintException.badRequest("Provided object does not match schema 'location': " + reason);
    }
}
