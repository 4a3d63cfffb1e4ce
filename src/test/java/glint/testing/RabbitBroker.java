package glint.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * The test RabbitMQ ({@code ./test} starts it: 127.0.0.1:5672, guest/guest, scripts/lib.sh {@code ensure_rabbitmq}),
 * seen by a real AMQP client as a notification consumer would: a queue of its own bound to an exchange, read with
 * bounded waits. Skips the test when no broker answers (plain {@code mvn test} on a machine without one).
 */
public final class RabbitBroker implements AutoCloseable {
    public static final String HOST = "127.0.0.1";
    public static final int PORT = 5672;
    public static final String URL = "rabbit://guest:guest@127.0.0.1:5672/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection connection;
    private final Channel channel;
    private final List<String[]> cleanup = new ArrayList<>();

    private RabbitBroker(Connection connection, Channel channel) {
        this.connection = connection;
        this.channel = channel;
    }

    public static RabbitBroker connect() {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(HOST);
        f.setPort(PORT);
        f.setConnectionTimeout(3_000);
        try {
            Connection c = f.newConnection("glint-test-consumer");
            return new RabbitBroker(c, c.createChannel());
        } catch (IOException | TimeoutException e) {
            Assumptions.abort("no RabbitMQ on " + HOST + ":" + PORT + " (./test starts one: scripts/lib.sh ensure_rabbitmq): " + e);
            throw new IllegalStateException(e);
        }
    }

    /** One message as a consumer gets it. */
    public record Received(String exchange, String routingKey, Map<String, Object> properties, byte[] body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + new String(body), e);
            }
        }
    }

    /**
     * A queue of the test's own bound to {@code exchange} (declared as oslo.messaging declares it: topic, not durable,
     * not auto-deleted) with each routing key. The queues oslo's publisher declares for the topics (named as the
     * routing keys) are removed at {@link #close}.
     */
    public String bind(String exchange, String... routingKeys) throws IOException {
        channel.exchangeDeclare(exchange, "topic", false, false, null);
        cleanup.add(new String[] {exchange});
        if (routingKeys.length == 0) {
            return null;
        }
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        for (String key : routingKeys) {
            channel.queueBind(queue, exchange, key);
        }
        return queue;
    }

    /**
     * A name of the test's own ({@code glint-test-<8 hex>}) for a Glint's exchange ({@code control_exchange}) and
     * topic ({@code topics}): the default queues its publisher declares ({@code <name>.info}, {@code .warn},
     * {@code .error}) and the exchange are removed at {@link #close}. See {@link #publishingTo}.
     */
    public String ownTopic() {
        String name = "glint-test-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        removeAtClose(name + ".info", name + ".warn", name + ".error");
        cleanup.add(new String[] {name});
        return name;
    }

    /**
     * The configuration of a Glint publishing with {@code driver} on exchange and topic {@code name} at
     * {@code transportUrl}, then {@code more} (each section named: {@code [DEFAULT]} may come again).
     */
    public static String[] publishing(String name, String driver, String transportUrl, String... more) {
        List<String> lines = new ArrayList<>(List.of("[DEFAULT]", "control_exchange = " + name,
                "[oslo_messaging_notifications]", "driver = " + driver, "topics = " + name, "transport_url = " + transportUrl));
        lines.addAll(List.of(more));
        return lines.toArray(String[]::new);
    }

    /** The messages waiting in {@code queue} now. */
    public long waiting(String queue) throws IOException {
        return channel.queueDeclarePassive(queue).getMessageCount();
    }

    /** The default queues oslo's publisher declares (named as routing keys): removed at {@link #close}. */
    public void removeAtClose(String... queues) {
        for (String q : queues) {
            cleanup.add(new String[] {null, q});
        }
    }

    /** The next {@code n} messages of {@code queue}; fails when they do not arrive within {@code within}. */
    public List<Received> take(String queue, int n, Duration within) throws IOException {
        List<Received> got = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        long pause = 1;
        while (got.size() < n) {
            GetResponse r = channel.basicGet(queue, true);
            if (r != null) {
                Map<String, Object> props = new LinkedHashMap<>();
                props.put("content_type", r.getProps().getContentType());
                props.put("content_encoding", r.getProps().getContentEncoding());
                props.put("delivery_mode", r.getProps().getDeliveryMode());
                props.put("priority", r.getProps().getPriority());
                props.put("headers", r.getProps().getHeaders() == null ? Map.of() : Map.copyOf(r.getProps().getHeaders()));
                got.add(new Received(r.getEnvelope().getExchange(), r.getEnvelope().getRoutingKey(), props, r.getBody()));
                pause = 1;
                continue;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("got " + got.size() + " of " + n + " messages within " + within + ": "
                        + got.stream().map(m -> m.routingKey() + " " + new String(m.body())).toList());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(pause).toNanos());
            pause = Math.min(pause * 2, 100);
        }
        return got;
    }

    @Override
    public void close() {
        for (String[] c : cleanup) {
            try {
                if (c[0] == null) {
                    channel.queueDelete(c[1]);
                } else if (c[0].startsWith("glint-test-")) {
                    channel.exchangeDelete(c[0]);
                }
            } catch (IOException | RuntimeException e) {
                // already gone
            }
        }
        try {
            connection.close(2_000);
        } catch (IOException | RuntimeException e) {
            connection.abort();
        }
    }
}
