package glint.notify;

/**
 * Where the domain tells what it changed, as Glance's notifier does (glance/notifier.py): an event type
 * ({@code image.create}), a priority and a JSON-shaped payload (maps with string keys in the order they are to be
 * sent, lists, strings, numbers, booleans, null). Called after the change is committed. An implementation never
 * blocks nor fails its caller: what cannot be delivered now is buffered or dropped, never an error of the API call.
 * The domain knows nothing else of messaging; {@code glint.notify.messaging} sends these as oslo.messaging does.
 */
@FunctionalInterface
public interface Notifier {
    /** oslo.messaging's priorities as Glance uses them; {@link #wire} is what is sent ({@code INFO}, {@code WARN}, {@code ERROR}). */
    enum Priority {
        INFO, WARN, ERROR;

        public String wire() {
            return name();
        }
    }

    /** Sends nothing: no driver configured (Glance with {@code [oslo_messaging_notifications] driver} unset). */
    Notifier NONE = (priority, eventType, payload) -> { };

    void notify(Priority priority, String eventType, Object payload);

    default void info(String eventType, Object payload) {
        notify(Priority.INFO, eventType, payload);
    }

    default void error(String eventType, Object payload) {
        notify(Priority.ERROR, eventType, payload);
    }
}
