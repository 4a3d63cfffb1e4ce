package glint.reliability;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.DatabaseNeutral;
import glint.testing.Poll;
import glint.testing.RawHttp;
import glint.testing.ServerSockets;
import glint.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Idle, slow and trickling clients cannot take the server's threads or file descriptors: thousands of idle
 * connections hold no thread and at most {@code [wsgi] max_connections} descriptors, a request head sent a byte at a
 * time is dropped after {@code header_timeout}, a body trickled below {@code min_request_data_rate} is failed as the
 * client's (400), and meanwhile a normal request is answered. Counts are read from {@code /proc/self} (the server runs
 * in this JVM); nothing is timed.
 */
@DatabaseNeutral
class SlowClientsTest {
    /** Jetty's API pool is named "http": its threads ("http-N"), selectors and acceptors included. */
    private static final String POOL = "http-";
    /** The API pool's bound (HttpServer): however many connections, never more threads. */
    private static final int POOL_MAX = 400;
    private static final String ROUTER = "glint.http.Router";

    private static List<Socket> connect(int port, int n) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
            sockets.add(s);
        }
        return sockets;
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Test
    void twoThousandIdleConnectionsHoldNoThreadsAndANormalRequestIsAnswered() throws Exception {
        try (TestServer server = TestServer.start()) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            List<Socket> idle = connect(server.port(), 2000);
            try {
                Poll.until("the server accepts the 2000 connections", Duration.ofSeconds(60),
                        () -> ServerSockets.accepted(server.port()) >= 2000);
                assertThat(admin.get("/v2/images").status()).isEqualTo(200);
                long threads = ServerSockets.threads(POOL);
                System.out.println("2000 idle connections: " + threads + " threads in the API pool, "
                        + ServerSockets.accepted(server.port()) + " accepted sockets, " + ServerSockets.fileDescriptors()
                        + " descriptors in the JVM (both ends)");
                // Jetty hands each new connection to a pool thread, which goes back idle: no thread stays with one
                assertNoThreadServing();
                assertThat(threads).as("threads of the API pool").isLessThanOrEqualTo(POOL_MAX);
                assertThat(ServerSockets.accepted(server.port())).isLessThanOrEqualTo(2001);
            } finally {
                closeAll(idle);
            }
            Poll.until("the server closes its ends", Duration.ofSeconds(60), () -> ServerSockets.accepted(server.port()) <= 1);
        }
    }

    @Test
    void pastMaxConnectionsTheServerHoldsNoMoreAndIdleOnesMakeRoom() throws Exception {
        try (TestServer server = TestServer.start("[wsgi]", "max_connections = 100")) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            int before = ServerSockets.accepted(server.port());
            List<Socket> idle = connect(server.port(), 300); // 200 wait in the kernel's backlog
            try {
                Poll.until("100 accepted", Duration.ofSeconds(60), () -> ServerSockets.accepted(server.port()) >= 100);
                for (int i = 0; i < 20; i++) {
                    assertThat(ServerSockets.accepted(server.port())).as("descriptors held for clients").isLessThanOrEqualTo(100);
                }
                // at the limit, idle connections are closed after the shorter idle timeout, so a real one gets in
                assertThat(admin.get("/v2/images").status()).isEqualTo(200);
                assertNoThreadServing();
                assertThat(ServerSockets.threads(POOL)).isLessThanOrEqualTo(POOL_MAX);
            } finally {
                closeAll(idle);
            }
            assertThat(before).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void aHeadSentAByteAtATimeIsDroppedAndOthersAreServedMeanwhile() throws Exception {
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (TestServer server = TestServer.start("[wsgi]", "header_timeout = 1")) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            List<Socket> slow = connect(server.port(), 50);
            byte[] head = ("GET /v2/images HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Auth-Token: " + admin.token() + "\r\n"
                    + "X-Slow: " + "a".repeat(10_000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            int[] sent = new int[1];
            trickle.scheduleAtFixedRate(() -> {
                for (Socket s : slow) {
                    try {
                        s.getOutputStream().write(head[sent[0] % head.length]);
                    } catch (IOException closedByServer) {
                        // dropped: what is expected
                    }
                }
                sent[0]++;
            }, 0, 200, TimeUnit.MILLISECONDS);
            try {
                assertThat(admin.get("/v2/images").status()).isEqualTo(200);
                assertNoThreadServing(); // a head being read holds no thread
                for (Socket s : slow) {
                    s.setSoTimeout(60_000);
                    InputStream in = s.getInputStream();
                    // the server closes without an answer (as eventlet at client_socket_timeout): end of stream or reset
                    assertThat(readUntilClosed(in)).as("nothing answered to a head never finished").isZero();
                }
                assertThat(sent[0]).as("bytes trickled before the last connection was dropped").isLessThan(head.length);
                Poll.until("the server's ends are closed", Duration.ofSeconds(30), () -> ServerSockets.accepted(server.port()) <= 1);
            } finally {
                closeAll(slow);
            }
        } finally {
            trickle.shutdownNow();
        }
    }

    /**
     * No thread of the API pool is in the router: the last request's thread leaves it just after its answer is sent,
     * so this is polled; a thread held by a connection would never leave.
     */
    private static void assertNoThreadServing() {
        Poll.until("no thread of the API pool serving a request", Duration.ofSeconds(30),
                () -> ServerSockets.threadsIn(POOL, ROUTER) == 0);
    }

    /** Bytes read until the peer closes (a reset counts as closed). */
    private static int readUntilClosed(InputStream in) {
        int n = 0;
        try {
            while (in.read() >= 0) {
                n++;
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open", e);
        } catch (IOException reset) {
            // closed by a reset
        }
        return n;
    }

    @Test
    void aBodyTrickledBelowTheMinimumRateIsRefusedAsTheClientsFaultAndTheImageIsQueuedAgain() throws Exception {
        try (TestServer server = TestServer.start("[wsgi]", "min_request_data_rate = 1024")) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            String id = admin.post("/v2/images", obj("name", "slow", "disk_format", "raw", "container_format", "bare"))
                    .json().get("id").asText();
            ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
            try (RawHttp http = new RawHttp(server.port())) {
                http.head("PUT", "/v2/images/" + id + "/file", "X-Auth-Token: " + admin.token(),
                        "Content-Type: application/octet-stream", "Content-Length: 1000000");
                trickle.scheduleAtFixedRate(() -> {
                    try {
                        http.send(new byte[] {1});
                    } catch (IOException closedByServer) {
                        // the server gave up: what is expected
                    }
                }, 0, 100, TimeUnit.MILLISECONDS);
                RawHttp.Head answer = http.readHead();
                assertThat(answer.status()).isEqualTo(400);
            } finally {
                trickle.shutdownNow();
            }
            Poll.until("the image back to queued", Duration.ofSeconds(30),
                    () -> admin.get("/v2/images/" + id).json().get("status").asText().equals("queued"));
            assertThat(server.rows("pending_data", "image_id", id)).isZero();
        }
    }

    @Test
    void aDownloadReadBelowTheMinimumRateHasItsConnectionClosedAndFreesItsThread() throws Exception {
        // the rate counts what the kernel took, and loopback socket buffers take megabytes: hence a high minimum here
        try (TestServer server = TestServer.start("[wsgi]", "min_request_data_rate = 2000000")) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            String id = admin.post("/v2/images", obj("name", "slow-reader", "disk_format", "raw", "container_format", "bare"))
                    .json().get("id").asText();
            int size = 24 << 20; // more than the socket buffers hold: the first 16 MiB window stays pending
            assertThat(admin.put("/v2/images/" + id + "/file", new byte[size], "Content-Type", "application/octet-stream")
                    .status()).isEqualTo(204);
            java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean fast = new java.util.concurrent.atomic.AtomicBoolean();
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(4096);
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()), 10_000);
                socket.setSoTimeout(60_000);
                socket.getOutputStream().write(("GET /v2/images/" + id + "/file HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "X-Auth-Token: " + admin.token() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                java.util.concurrent.CompletableFuture<Void> reading = java.util.concurrent.CompletableFuture.runAsync(() -> {
                    byte[] piece = new byte[1000];
                    try {
                        for (int n; (n = in.read(piece, 0, fast.get() ? piece.length : 1000)) >= 0; ) {
                            received.addAndGet(n);
                            if (!fast.get()) {
                                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // a reader of 20 kB/s
                            }
                        }
                    } catch (java.net.SocketTimeoutException e) {
                        throw new AssertionError("the server kept the connection open", e);
                    } catch (IOException reset) {
                        // closed by a reset
                    }
                });
                Poll.until("the download started", Duration.ofSeconds(60), () -> received.get() > 0);
                // the server gives up on the reader after the grace period: its thread leaves; whatever the kernel
                // still holds for the socket then drains to the reader, now read at full speed, and ends
                assertNoThreadServing();
                fast.set(true);
                reading.get(60, TimeUnit.SECONDS);
            }
            assertThat(received.get()).as("bytes the slow reader got before the server closed").isLessThan(size);
            assertNoThreadServing();
            assertThat(admin.get("/v2/images/" + id).status()).isEqualTo(200);
        }
    }
}
