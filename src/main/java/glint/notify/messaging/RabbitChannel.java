package glint.notify.messaging;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import glint.config.GlintConfig.RabbitConfig;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * One connection to RabbitMQ and the channel notifications are published on, declared as oslo.messaging's rabbit
 * driver declares them ({@code notify_send}, {@code _publish_and_creates_default_queue}): a {@code topic} exchange
 * ({@code control_exchange}) and, once per connection and routing key, a queue named after the routing key bound
 * to it with that key (so that notifications wait for a consumer that has not come yet), both durable and
 * auto-deleted as {@code amqp_durable_queues} and {@code amqp_auto_delete} say. Messages as kombu sends them:
 * JSON, UTF-8, persistent (delivery mode 2), priority 0. Publisher confirms are on.
 */
final class RabbitChannel implements AutoCloseable {
    static final AMQP.BasicProperties PROPERTIES = new AMQP.BasicProperties.Builder().contentType("application/json")
            .contentEncoding("utf-8").deliveryMode(2).priority(0).headers(Map.of()).build();
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final Connection connection;
    private final Channel channel;
    private final String exchange;
    private final RabbitConfig options;
    private final Set<String> declaredQueues = new HashSet<>();

    private RabbitChannel(Connection connection, Channel channel, String exchange, RabbitConfig options) {
        this.connection = connection;
        this.channel = channel;
        this.exchange = exchange;
        this.options = options;
    }

    static RabbitChannel open(TransportUrl url, String exchange, RabbitConfig options) throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername(url.user());
        factory.setPassword(url.password());
        factory.setVirtualHost(url.virtualHost());
        factory.setConnectionTimeout(CONNECT_TIMEOUT_MS);
        factory.setHandshakeTimeout(CONNECT_TIMEOUT_MS);
        factory.setRequestedHeartbeat((int) options.heartbeat().toSeconds());
        factory.setAutomaticRecoveryEnabled(false); // the publisher reconnects, with oslo's back-off
        factory.setTopologyRecoveryEnabled(false);
        Connection connection = factory.newConnection(url.hosts(), "glint-notifications");
        try {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            channel.exchangeDeclare(exchange, "topic", options.durable(), options.autoDelete(), null);
            return new RabbitChannel(connection, channel, exchange, options);
        } catch (IOException | RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    /** Publishes without waiting; {@link #confirm} waits for the broker to have them all. */
    void publish(String routingKey, byte[] body) throws IOException {
        if (declaredQueues.add(routingKey)) {
            channel.queueDeclare(routingKey, options.durable(), false, options.autoDelete(), null);
            channel.queueBind(routingKey, exchange, routingKey);
        }
        channel.basicPublish(exchange, routingKey, false, PROPERTIES, body);
    }

    /** Waits for the broker's confirms of everything published; an IOException when one was refused or none came. */
    void confirm(long timeoutMs) throws IOException, InterruptedException, TimeoutException {
        channel.waitForConfirmsOrDie(timeoutMs);
    }

    boolean isOpen() {
        return channel.isOpen() && connection.isOpen();
    }

    String server() {
        return connection.getAddress().getHostAddress() + ":" + connection.getPort();
    }

    @Override
    public void close() {
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close(1_000);
        } catch (IOException | RuntimeException e) {
            connection.abort(1_000);
        }
    }
}
