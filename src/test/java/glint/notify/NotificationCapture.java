package glint.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import glint.testing.RabbitBroker.Received;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What Glance 25.1 sent for each step of a scenario (src/test/resources/notifications/glance-25.1/, made by
 * scripts/capture-notifications.py), and Glint's messages brought to the same form: the envelope's
 * {@code oslo.message} decoded, ids named as the capture names them, other UUIDs, 32-hex ids and times by shape.
 */
final class NotificationCapture {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<Map.Entry<Pattern, String>> TIME_SHAPES = List.of(
            Map.entry(Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}$"), "<time:YYYY-MM-DD hh:mm:ss.ffffff>"),
            Map.entry(Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$"), "<time:YYYY-MM-DDThh:mm:ssZ>"),
            Map.entry(Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}$"), "<time:YYYY-MM-DDThh:mm:ss.ffffff>"),
            Map.entry(Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?([+-]\\d\\d:\\d\\d|Z)?$"), "<time:other>"));
    private static final Pattern UUID = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
    private static final Pattern HEX32 = Pattern.compile("^[0-9a-f]{32}$");

    record Step(String name, String request, List<JsonNode> messages) {}

    private NotificationCapture() {}

    /** The steps of {@code scenario} as Glance sent them. */
    static List<Step> glance(String scenario) throws IOException {
        try (InputStream in = NotificationCapture.class.getResourceAsStream("/notifications/glance-25.1/" + scenario + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("no capture " + scenario);
            }
            List<Step> steps = new ArrayList<>();
            for (JsonNode s : JSON.readTree(in).get("steps")) {
                List<JsonNode> messages = new ArrayList<>();
                s.get("messages").forEach(messages::add);
                steps.add(new Step(s.get("step").asText(), s.get("request").asText(), messages));
            }
            return steps;
        }
    }

    /** A message Glint sent, in the capture's form; {@code names}: id → the capture's name for it. */
    static JsonNode normalised(Received m, Map<String, String> names) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("exchange", m.exchange());
        out.put("routing_key", m.routingKey());
        ObjectNode props = out.putObject("properties");
        props.put("content_type", (String) m.properties().get("content_type"));
        props.put("content_encoding", (String) m.properties().get("content_encoding"));
        props.put("delivery_mode", (Integer) m.properties().get("delivery_mode"));
        props.put("priority", (Integer) m.properties().get("priority"));
        out.set("headers", JSON.valueToTree(m.properties().get("headers")));
        ObjectNode body = m.json().deepCopy();
        JsonNode inner = body.get("oslo.message");
        if (inner != null && inner.isTextual()) {
            try {
                body.set("oslo.message", JSON.readTree(inner.asText()));
            } catch (IOException e) {
                throw new AssertionError("oslo.message is not JSON: " + inner.asText(), e);
            }
        }
        out.set("body", body);
        return normalise(out, names);
    }

    private static JsonNode normalise(JsonNode node, Map<String, String> names) {
        if (node.isObject()) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                o.set(e.getKey(), normalise(e.getValue(), names));
            }
            return o;
        }
        if (node.isArray()) {
            var a = JsonNodeFactory.instance.arrayNode();
            node.forEach(n -> a.add(normalise(n, names)));
            return a;
        }
        if (!node.isTextual()) {
            return node;
        }
        String v = node.asText();
        if (names.containsKey(v)) {
            return JsonNodeFactory.instance.textNode(names.get(v));
        }
        for (Map.Entry<Pattern, String> shape : TIME_SHAPES) {
            if (shape.getKey().matcher(v).matches()) {
                return JsonNodeFactory.instance.textNode(shape.getValue());
            }
        }
        if (UUID.matcher(v).matches()) {
            return JsonNodeFactory.instance.textNode("<uuid>");
        }
        if (HEX32.matcher(v).matches()) {
            return JsonNodeFactory.instance.textNode("<hex32>");
        }
        for (Map.Entry<String, String> n : names.entrySet()) {
            v = v.replace(n.getKey(), n.getValue());
        }
        return JsonNodeFactory.instance.textNode(v);
    }
}
