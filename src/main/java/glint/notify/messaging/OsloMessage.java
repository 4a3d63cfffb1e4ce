package glint.notify.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.notify.Notifier.Priority;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One notification as oslo.messaging sends it (oslo_messaging/notify/notifier.py {@code _notify}, then
 * _drivers/amqpdriver.py {@code _send}): {@code message_id}, {@code publisher_id}, {@code event_type},
 * {@code priority}, {@code payload}, {@code timestamp} (Python's {@code str(utcnow())}), {@code _unique_id}, and no
 * {@code _context_*} keys, since Glance notifies with an empty context. {@link #v2} wraps it in the 2.0 envelope
 * ({@code messagingv2}, _drivers/common.py {@code serialize_msg}); {@link #v1} is the bare message
 * ({@code messaging}).
 */
public record OsloMessage(Priority priority, String eventType, Map<String, Object> message) {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** Stamps a notification now: a new message id and unique id, the time of the call. */
    public static OsloMessage of(String publisherId, Priority priority, String eventType, Object payload, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message_id", UUID.randomUUID().toString());
        m.put("publisher_id", publisherId);
        m.put("event_type", eventType);
        m.put("priority", priority.wire());
        m.put("payload", payload);
        m.put("timestamp", pythonTime(now));
        m.put("_unique_id", UUID.randomUUID().toString().replace("-", ""));
        return new OsloMessage(priority, eventType, m);
    }

    /** Python's {@code str(datetime)}: {@code 2026-12-02 06:13:04.114232}, no fraction when it is zero. */
    static String pythonTime(Instant at) {
        LocalDateTime t = LocalDateTime.ofInstant(at.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
        int micros = t.getNano() / 1000;
        return SECONDS.format(t) + (micros == 0 ? "" : String.format(".%06d", micros));
    }

    /** The 2.0 envelope, as JSON: {@code {"oslo.version": "2.0", "oslo.message": "<the message as JSON>"}}. */
    public byte[] v2(ObjectMapper json) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("oslo.version", "2.0");
        envelope.put("oslo.message", text(json));
        return bytes(json, envelope);
    }

    /** The bare message, as JSON (the 1.0 format). */
    public byte[] v1(ObjectMapper json) {
        return bytes(json, message);
    }

    /** The message as JSON text. */
    public String text(ObjectMapper json) {
        return new String(bytes(json, message), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ObjectMapper json, Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("notification payload is not JSON-shaped", e);
        }
    }
}
