package glint.config;

import glint.config.GlintConfig.NotificationsConfig;
import glint.config.GlintConfig.RabbitConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Glance's notification options, with oslo.messaging's names and defaults as Glance sets them
 * (glance/notifier.py, oslo_messaging/notify/notifier.py, oslo_messaging/_drivers/impl_rabbit.py): no driver, no
 * notifications; {@code control_exchange} {@code glance}; publisher {@code image.localhost}.
 */
final class NotificationOptions {
    /** oslo.messaging's notification drivers that Glint has. */
    static final List<String> DRIVERS = List.of("messagingv2", "messaging", "log", "noop");
    static final String DEFAULT_TRANSPORT_URL = "rabbit://guest:guest@localhost:5672/";
    static final int DEFAULT_BUFFER_SIZE = 10_000;

    private NotificationOptions() {}

    static NotificationsConfig read(IniFile ini) {
        String s = "oslo_messaging_notifications";
        List<String> drivers = new ArrayList<>();
        // a MultiStrOpt: one driver a line, several lines; a comma list on one line is taken too
        ini.all(s, "driver").forEach(line -> drivers.addAll(ConfigLoader.osloList(line)));
        for (String d : drivers) {
            if (!DRIVERS.contains(d)) {
                throw new IllegalArgumentException("[oslo_messaging_notifications] driver: unknown driver '" + d
                        + "' (known: " + String.join(", ", DRIVERS) + ")");
            }
        }
        String url = ini.get(s, "transport_url").or(() -> ini.get("DEFAULT", "transport_url"))
                .orElse(DEFAULT_TRANSPORT_URL).strip();
        List<String> topics = ConfigLoader.osloList(ini.get(s, "topics").orElse("notifications"));
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("[oslo_messaging_notifications] topics: at least one topic");
        }
        int retry = ConfigLoader.intValue(s + ".retry", ini.get(s, "retry").orElse("-1"));
        int buffer = ConfigLoader.intValue("notifications.buffer_size", ini.get("notifications", "buffer_size")
                .orElse(String.valueOf(DEFAULT_BUFFER_SIZE)));
        if (buffer < 1) {
            throw new IllegalArgumentException("[notifications] buffer_size: at least 1, not " + buffer);
        }
        return new NotificationsConfig(List.copyOf(drivers), url, topics, retry,
                ini.get("DEFAULT", "default_publisher_id").orElse("image.localhost").strip(),
                ConfigLoader.osloList(ini.get("DEFAULT", "disabled_notifications").orElse("")),
                ini.get("DEFAULT", "control_exchange").orElse("glance").strip(), rabbit(ini), buffer);
    }

    private static RabbitConfig rabbit(IniFile ini) {
        String s = "oslo_messaging_rabbit";
        if (ConfigLoader.bool(s + ".ssl", ini.get(s, "ssl").orElse("false"))) {
            throw new IllegalArgumentException("[oslo_messaging_rabbit] ssl: TLS to RabbitMQ is not supported by Glint yet");
        }
        return new RabbitConfig(ConfigLoader.bool(s + ".amqp_durable_queues", ini.get(s, "amqp_durable_queues").orElse("false")),
                ConfigLoader.bool(s + ".amqp_auto_delete", ini.get(s, "amqp_auto_delete").orElse("false")),
                seconds(ini, s, "rabbit_retry_interval", "1"), seconds(ini, s, "rabbit_retry_backoff", "2"),
                seconds(ini, s, "rabbit_interval_max", "30"), seconds(ini, s, "heartbeat_timeout_threshold", "60"));
    }

    private static Duration seconds(IniFile ini, String section, String key, String dflt) {
        int n = ConfigLoader.intValue(section + "." + key, ini.get(section, key).orElse(dflt));
        if (n < 0) {
            throw new IllegalArgumentException("[" + section + "] " + key + ": not negative, not " + n);
        }
        return Duration.ofSeconds(n);
    }
}
