package glint.notify.messaging;

/** One of {@code [oslo_messaging_notifications] driver}: where a notification goes. Never blocks, never throws. */
interface NotificationDriver extends AutoCloseable {
    void send(OsloMessage message);

    @Override
    default void close() {}
}
