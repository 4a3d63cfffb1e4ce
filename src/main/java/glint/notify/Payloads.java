package glint.notify;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What every payload formatter needs: Glance's times and JSON values. */
public final class Payloads {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private Payloads() {}

    /** Glance's {@code timeutils.isotime(at)}: {@code 2026-12-02T06:13:04Z}, seconds, UTC. */
    public static String isotime(Instant at) {
        return ISO.format(at.truncatedTo(ChronoUnit.SECONDS));
    }

    /** The value or JSON null. */
    public static Object orNull(Optional<?> value) {
        return value.orElse(null);
    }

    /** {@code deleted: true, deleted_at: now} over {@code payload}, as Glance's {@code remove} notifications. */
    public static Map<String, Object> deleted(Map<String, Object> payload, Instant now) {
        Map<String, Object> out = new LinkedHashMap<>(payload);
        out.put("deleted", true);
        out.put("deleted_at", isotime(now));
        return out;
    }

    /** {@code created_at}, {@code updated_at}, then {@link #live}: how Glance's payloads of stored objects end. */
    public static void stampedLive(Map<String, Object> payload, Instant createdAt, Instant updatedAt) {
        payload.put("created_at", isotime(createdAt));
        payload.put("updated_at", isotime(updatedAt));
        live(payload);
    }

    /** {@code deleted: false, deleted_at: null}, the end of every Glance payload of a live object. */
    public static void live(Map<String, Object> payload) {
        payload.put("deleted", false);
        payload.put("deleted_at", null);
    }
}
