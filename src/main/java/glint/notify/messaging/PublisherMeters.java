package glint.notify.messaging;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.BlockingQueue;

/**
 * The notifications' meters: {@code glint_notifications_sent_total} (confirmed by the broker),
 * {@code glint_notifications_dropped_total{reason="buffer_full"|"retries_exhausted"}} and the gauge
 * {@code glint_notifications_buffered} (waiting for the broker).
 */
final class PublisherMeters {
    private final Counter sent;
    private final Counter bufferFull;
    private final Counter retriesExhausted;

    PublisherMeters(MeterRegistry registry, BlockingQueue<?> buffer) {
        sent = Counter.builder("glint.notifications.sent").description("Notifications the broker confirmed")
                .register(registry);
        bufferFull = dropped(registry, "buffer_full");
        retriesExhausted = dropped(registry, "retries_exhausted");
        Gauge.builder("glint.notifications.buffered", buffer, BlockingQueue::size).strongReference(true)
                .description("Notifications waiting for the broker").register(registry);
    }

    private static Counter dropped(MeterRegistry registry, String reason) {
        return Counter.builder("glint.notifications.dropped").tag("reason", reason)
                .description("Notifications dropped: the buffer was full, or [oslo_messaging_notifications] retry ran out")
                .register(registry);
    }

    void sent(int n) {
        sent.increment(n);
    }

    void droppedBufferFull() {
        bufferFull.increment();
    }

    void droppedRetriesExhausted(int n) {
        retriesExhausted.increment(n);
    }
}
