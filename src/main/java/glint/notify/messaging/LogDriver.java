package glint.notify.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * oslo.messaging's {@code log} driver (oslo_messaging/notify/_impl_log.py): the message as JSON, logged on the
 * logger {@code oslo.messaging.notification.<event_type>} at the notification's priority.
 */
final class LogDriver implements NotificationDriver {
    static final String LOGGER_BASE = "oslo.messaging.notification";

    private final ObjectMapper json;

    LogDriver(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public void send(OsloMessage message) {
        Logger log = LoggerFactory.getLogger(LOGGER_BASE + "." + message.eventType());
        switch (message.priority()) {
            case INFO -> log.info("{}", message.text(json));
            case WARN -> log.warn("{}", message.text(json));
            case ERROR -> log.error("{}", message.text(json));
        }
    }
}
