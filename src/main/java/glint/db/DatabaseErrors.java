package glint.db;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.util.Map;

/**
 * {@code glint_database_errors_total{kind}}: failed statements and connection attempts, by {@link Unavailable#kind}.
 * SQLite's "UNIQUE constraint failed" has no SQLState; it counts as a {@code constraint} too.
 */
final class DatabaseErrors {
    private final Map<String, Counter> counters;

    DatabaseErrors(MeterRegistry registry) {
        this.counters = Map.of("unreachable", counter(registry, "unreachable"), "busy", counter(registry, "busy"),
                "constraint", counter(registry, "constraint"), "error", counter(registry, "error"));
    }

    private static Counter counter(MeterRegistry registry, String kind) {
        return Counter.builder("glint.database.errors").tag("kind", kind)
                .description("Failed database statements and connections, by kind").register(registry);
    }

    void count(SQLException e) {
        String kind = Unavailable.kind(e);
        if (kind.equals("error") && e.getMessage() != null && e.getMessage().contains("UNIQUE constraint failed")) {
            kind = "constraint";
        }
        counters.get(kind).increment();
    }
}
