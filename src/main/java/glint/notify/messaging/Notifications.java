package glint.notify.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import glint.config.GlintConfig.NotificationsConfig;
import glint.notify.Notifier;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glance's notifier on oslo.messaging's drivers: each notification that {@code [DEFAULT] disabled_notifications}
 * lets through is stamped (message id, {@code default_publisher_id}, time of the call) and handed to each driver of
 * {@code [oslo_messaging_notifications] driver}, none of which blocks. Without a driver it is {@link Notifier#NONE}.
 */
public final class Notifications implements Notifier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifications.class);

    private final String publisherId;
    private final List<String> disabled;
    private final List<NotificationDriver> drivers;
    private final Clock clock;

    private Notifications(String publisherId, List<String> disabled, List<NotificationDriver> drivers, Clock clock) {
        this.publisherId = publisherId;
        this.disabled = List.copyOf(disabled);
        this.drivers = List.copyOf(drivers);
        this.clock = clock;
    }

    /** The drivers configured, started (the RabbitMQ ones connect in the background); none: nothing is sent. */
    public static Notifications start(NotificationsConfig config, ObjectMapper json, MeterRegistry registry, Clock clock) {
        List<NotificationDriver> drivers = new ArrayList<>();
        TransportUrl url = null;
        for (String name : config.drivers()) {
            switch (name) {
                case "messagingv2", "messaging" -> {
                    url = url != null ? url : TransportUrl.parse(config.transportUrl());
                    drivers.add(new RabbitDriver(url, config, name.equals("messagingv2"), json, registry));
                }
                case "log" -> drivers.add(new LogDriver(json));
                case "noop" -> { }
                default -> throw new IllegalArgumentException("[oslo_messaging_notifications] driver: unknown '" + name + "'");
            }
        }
        if (!drivers.isEmpty()) {
            LOG.info("notifications: drivers {}, publisher {}, exchange {}, topics {}{}", config.drivers(), config.publisherId(),
                    config.exchange(), config.topics(), url == null ? "" : ", RabbitMQ at " + url.describe());
        }
        return new Notifications(config.publisherId(), config.disabled(), drivers, clock);
    }

    @Override
    public void notify(Priority priority, String eventType, Object payload) {
        if (drivers.isEmpty() || !enabled(eventType)) {
            return;
        }
        OsloMessage message = OsloMessage.of(publisherId, priority, eventType, payload, clock.instant());
        for (NotificationDriver driver : drivers) {
            try {
                driver.send(message);
            } catch (RuntimeException e) {
                // as Glance's _notify: a notification that cannot be sent is logged, never the caller's failure
                LOG.error("notification {} could not be sent", eventType, e);
            }
        }
    }

    /**
     * Glance's {@code _is_notification_enabled}: disabled when {@code disabled_notifications} names the event type or
     * its group, the part before the first dot ({@code image} disables {@code image.member.create} too;
     * {@code image.member} disables nothing, as in Glance).
     */
    boolean enabled(String eventType) {
        int dot = eventType.indexOf('.');
        String group = dot < 0 ? eventType : eventType.substring(0, dot);
        return !disabled.contains(eventType) && !disabled.contains(group);
    }

    /** Whether any driver sends anything. */
    public boolean active() {
        return !drivers.isEmpty();
    }

    @Override
    public void close() {
        drivers.forEach(NotificationDriver::close);
    }
}
