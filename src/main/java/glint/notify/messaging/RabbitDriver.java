package glint.notify.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import glint.config.GlintConfig.NotificationsConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * oslo.messaging's {@code messagingv2} and {@code messaging} drivers on RabbitMQ, built so that the broker never
 * slows nor fails an API call: {@link #send} puts the message, one per topic with the routing key
 * {@code <topic>.<priority>}, in a bounded buffer ({@code [notifications] buffer_size}) and returns; when the buffer is
 * full the message is dropped, counted and logged. One thread publishes what is buffered, in batches with publisher
 * confirms; when the broker is down or refuses, it reconnects with oslo's back-off ({@code rabbit_retry_interval}
 * growing by {@code rabbit_retry_backoff} up to {@code rabbit_interval_max}) and sends the batch again (at least
 * once; oslo's is at most once), unless {@code retry} attempts ran out.
 */
final class RabbitDriver implements NotificationDriver {
    private static final Logger LOG = LoggerFactory.getLogger(RabbitDriver.class);
    private static final int BATCH = 100;
    private static final long CONFIRM_TIMEOUT_MS = 10_000;
    private static final Duration SHORTEST_WAIT = Duration.ofMillis(100);
    private static final Duration CLOSE_FLUSH = Duration.ofSeconds(5);

    /** A message on its way: where it goes and what it is. */
    private record Outgoing(String routingKey, byte[] body, String eventType) {}

    private final TransportUrl url;
    private final NotificationsConfig config;
    private final boolean envelope;
    private final ObjectMapper json;
    private final BlockingQueue<Outgoing> buffer;
    private final PublisherMeters meters;
    private final DropLog fullLog;
    private final DropLog retryLog = new DropLog("[oslo_messaging_notifications] retry attempts ran out");
    private final Thread publisher;
    private volatile boolean closing;
    private RabbitChannel channel; // the publisher thread's only
    private boolean down;

    /** @param envelope {@code messagingv2} (the 2.0 envelope), else {@code messaging} (the bare message) */
    RabbitDriver(TransportUrl url, NotificationsConfig config, boolean envelope, ObjectMapper json,
                 io.micrometer.core.instrument.MeterRegistry registry) {
        this.url = url;
        this.config = config;
        this.envelope = envelope;
        this.json = json;
        this.buffer = new ArrayBlockingQueue<>(config.bufferSize());
        this.meters = new PublisherMeters(registry, buffer);
        this.fullLog = new DropLog("the buffer of " + config.bufferSize() + " ([notifications] buffer_size) is full; is "
                + "RabbitMQ at " + url.describe() + " reachable?");
        this.publisher = new Thread(this::publishLoop, "notifications-publisher");
        publisher.setDaemon(true);
        publisher.start();
    }

    @Override
    public void send(OsloMessage message) {
        byte[] body = envelope ? message.v2(json) : message.v1(json);
        for (String topic : config.topics()) {
            String key = topic + "." + message.priority().wire().toLowerCase(Locale.ROOT);
            if (closing || !buffer.offer(new Outgoing(key, body, message.eventType()))) {
                meters.droppedBufferFull();
                fullLog.dropped(1, message.eventType());
            }
        }
    }

    private void publishLoop() {
        List<Outgoing> batch = new ArrayList<>();
        while (!closing || !buffer.isEmpty()) {
            try {
                Outgoing first = buffer.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                // a batch out of the buffer is at most as large as the buffer: at most twice buffer_size held
                buffer.drainTo(batch, Math.min(BATCH, config.bufferSize()) - 1);
                publish(batch);
            } catch (InterruptedException e) {
                break; // closing, past the flush deadline
            } finally {
                batch.clear();
            }
        }
        disconnect();
    }

    /** Publishes the batch and waits for its confirms, reconnecting as often as {@code retry} allows. */
    private void publish(List<Outgoing> batch) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                RabbitChannel ch = connected();
                for (Outgoing o : batch) {
                    ch.publish(o.routingKey(), o.body());
                }
                ch.confirm(CONFIRM_TIMEOUT_MS);
                meters.sent(batch.size());
                return;
            } catch (IOException | TimeoutException | RuntimeException e) {
                disconnect();
                if (!down) {
                    down = true;
                    LOG.warn("notifications: RabbitMQ at {} failed ({}); buffering up to {} notifications and reconnecting",
                            url.describe(), e.getCause() != null ? e + ": " + e.getCause() : e.toString(), config.bufferSize());
                }
                if (config.retry() >= 0 && attempt > config.retry()) {
                    meters.droppedRetriesExhausted(batch.size());
                    retryLog.dropped(batch.size(), batch.get(batch.size() - 1).eventType());
                    return;
                }
                backOff(attempt);
            }
        }
    }

    private RabbitChannel connected() throws IOException, TimeoutException {
        if (channel == null || !channel.isOpen()) {
            disconnect();
            channel = RabbitChannel.open(url, config.exchange(), config.rabbit());
            if (down) {
                LOG.info("notifications: connected again to RabbitMQ at {} ({} buffered)", channel.server(), buffer.size());
                down = false;
            } else {
                LOG.info("notifications: connected to RabbitMQ at {}, exchange {}", channel.server(), config.exchange());
            }
        }
        return channel;
    }

    /** oslo's kombu back-off: {@code rabbit_retry_interval + (attempt - 1) × rabbit_retry_backoff}, at most the max. */
    private void backOff(int attempt) throws InterruptedException {
        Duration wait = config.rabbit().retryInterval().plus(config.rabbit().retryBackoff().multipliedBy(attempt - 1L));
        if (wait.compareTo(config.rabbit().intervalMax()) > 0) {
            wait = config.rabbit().intervalMax();
        }
        if (wait.compareTo(SHORTEST_WAIT) < 0) {
            wait = SHORTEST_WAIT;
        }
        if (closing) {
            throw new InterruptedException("closing");
        }
        Thread.sleep(wait.toMillis()); // the publisher's own pace; close() interrupts it
    }

    private void disconnect() {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** Stops taking notifications, sends what is buffered for a few seconds if the broker takes it, then stops. */
    @Override
    public void close() {
        closing = true;
        try {
            publisher.join(CLOSE_FLUSH.toMillis());
            if (publisher.isAlive()) {
                publisher.interrupt();
                publisher.join(CLOSE_FLUSH.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!buffer.isEmpty()) {
            LOG.warn("notifications: {} not sent at shutdown", buffer.size());
        }
    }
}
