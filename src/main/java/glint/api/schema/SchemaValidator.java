package glint.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The part of JSON Schema draft 4 that Glance's own schemas use: {@code type} (one or a list), {@code enum},
 * {@code minLength}/{@code maxLength}, {@code pattern}, {@code minimum}/{@code maximum}, {@code items},
 * {@code properties}, {@code additionalProperties} (false or a schema) and {@code required}.
 * Glance's schemas are its protocol, so this small validator is Glint's own rather than a library.
 */
public final class SchemaValidator {
    private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

    /** The first violation, as a short reason, or empty when {@code value} conforms. */
    public Optional<String> validate(JsonNode schema, JsonNode value) {
        return check(schema, value, "");
    }

    private Optional<String> check(JsonNode schema, JsonNode value, String path) {
        JsonNode type = schema.get("type");
        if (type != null && !typeMatches(type, value)) {
            return Optional.of(describe(value) + " is not of type " + typeNames(type) + where(path));
        }
        JsonNode allowed = schema.get("enum");
        if (allowed != null && allowed.isArray()) {
            boolean found = false;
            for (JsonNode a : allowed) {
                if (a.equals(value)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return Optional.of(describe(value) + " is not one of " + allowed + where(path));
            }
        }
        if (value.isTextual()) {
            String s = value.textValue();
            int length = s.codePointCount(0, s.length());
            if (schema.has("maxLength") && length > schema.get("maxLength").asInt()) {
                return Optional.of(describe(value) + " is too long" + where(path));
            }
            if (schema.has("minLength") && length < schema.get("minLength").asInt()) {
                return Optional.of(describe(value) + " is too short" + where(path));
            }
            if (schema.has("pattern")) {
                String regex = schema.get("pattern").asText();
                if (!patterns.computeIfAbsent(regex, Pattern::compile).matcher(s).find()) {
                    return Optional.of(describe(value) + " does not match '" + regex + "'" + where(path));
                }
            }
        }
        if (value.isNumber()) {
            if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
                return Optional.of(value + " is less than the minimum of " + schema.get("minimum") + where(path));
            }
            if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
                return Optional.of(value + " is greater than the maximum of " + schema.get("maximum") + where(path));
            }
        }
        if (value.isArray() && schema.has("items")) {
            int i = 0;
            for (JsonNode item : value) {
                Optional<String> error = check(schema.get("items"), item, path + "/" + i++);
                if (error.isPresent()) {
                    return error;
                }
            }
        }
        if (value.isObject()) {
            return checkObject(schema, value, path);
        }
        return Optional.empty();
    }

    private Optional<String> checkObject(JsonNode schema, JsonNode value, String path) {
        JsonNode properties = schema.get("properties");
        JsonNode additional = schema.get("additionalProperties");
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode propertySchema = properties == null ? null : properties.get(field.getKey());
            if (propertySchema != null) {
                Optional<String> error = check(propertySchema, field.getValue(), path + "/" + field.getKey());
                if (error.isPresent()) {
                    return error;
                }
            } else if (additional != null && additional.isBoolean() && !additional.booleanValue()) {
                return Optional.of("Additional properties are not allowed ('" + field.getKey() + "' was unexpected)" + where(path));
            } else if (additional != null && additional.isObject()) {
                Optional<String> error = check(additional, field.getValue(), path + "/" + field.getKey());
                if (error.isPresent()) {
                    return error;
                }
            }
        }
        JsonNode required = schema.get("required");
        if (required != null) {
            for (JsonNode name : required) {
                if (!value.has(name.asText())) {
                    return Optional.of("'" + name.asText() + "' is a required property" + where(path));
                }
            }
        }
        return Optional.empty();
    }

    private static boolean typeMatches(JsonNode type, JsonNode value) {
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (typeMatches(t.asText(), value)) {
                    return true;
                }
            }
            return false;
        }
        return typeMatches(type.asText(), value);
    }

    private static boolean typeMatches(String type, JsonNode value) {
        return switch (type) {
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            case "array" -> value.isArray();
            case "object" -> value.isObject();
            default -> true;
        };
    }

    private static String typeNames(JsonNode type) {
        if (!type.isArray()) {
            return "'" + type.asText() + "'";
        }
        StringBuilder s = new StringBuilder();
        for (JsonNode t : type) {
            s.append(s.length() == 0 ? "" : ", ").append("'").append(t.asText()).append("'");
        }
        return s.toString();
    }

    private static String describe(JsonNode value) {
        return value.isTextual() ? "'" + value.textValue() + "'" : value.toString();
    }

    private static String where(String path) {
        return path.isEmpty() ? "" : " (at " + path + ")";
    }
}
