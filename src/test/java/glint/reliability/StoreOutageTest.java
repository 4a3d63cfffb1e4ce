package glint.reliability;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.DatabaseNeutral;
import glint.testing.Poll;
import glint.testing.S3Proxy;
import glint.testing.SwiftFixture;
import glint.testing.TcpProxy;
import glint.testing.TestBytes;
import glint.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The s3 store's service goes away under a running Glint (S3Proxy killed, as a crash of the service) and comes back:
 * uploads and downloads are answered 503 with {@code Retry-After} within a bound (never a 4xx, never a hang), an
 * upload in flight ends with its image {@code queued} and no size or checksum, metadata is still served, and once the
 * service is back the same images upload and download without restarting Glint, with nothing left in the bucket but
 * the active images' objects. And a service failing for a moment (503s) is retried by the store, unseen by clients.
 * The swift case runs where a Swift is given ({@link SwiftFixture}: ./test starts one).
 */
@DatabaseNeutral
class StoreOutageTest {
    /** Refused connections after the client's retries (3 attempts), plus room for a loaded 2-core machine. */
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(30);
    private static final int MIB = 1 << 20;

    private static TestServer s3Glint(S3Proxy s3, String bucket, String host) {
        List<String> ini = new ArrayList<>(List.of("enabled_backends = objects:s3", "[glance_store]",
                "default_backend = objects", "[objects]"));
        s3.storeOptions(bucket, "s3_store_large_object_chunk_size", "5", "s3_store_thread_pools", "2",
                "s3_store_large_object_size", "1").forEach((k, v) -> ini.add(k + " = " + (host != null && k.equals("s3_store_host") ? host : v)));
        return TestServer.start(ini.toArray(String[]::new));
    }

    @Test
    void anS3OutageIs503WithRetryAfterUploadsInFlightEndQueuedAndGlintRecoversWhenTheServiceIsBack() throws Exception {
        S3Proxy s3 = S3Proxy.startOwn();
        String bucket = s3.newBucket();
        ExecutorService load = Executors.newFixedThreadPool(5);
        try (TestServer server = s3Glint(s3, bucket, null)) {
            ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
            byte[] existingData = TestBytes.bytes(1, 300_000);
            String existing = uploaded(admin, existingData);

            // an upload in flight: two parts of 5 MiB on the service, the rest held back until the service is gone
            String inFlight = newImage(admin);
            Duration cutTook = uploadCutByOutage(server, admin, inFlight, "two parts of the upload in flight on the service",
                    () -> s3.oneUploadWithParts(bucket, 2), s3::stop);

            // a small load during the outage: uploads (single PUT and multipart) and downloads
            List<Future<Timed>> answers = new ArrayList<>();
            List<String> failedUploads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String id = newImage(admin);
                failedUploads.add(id);
                byte[] data = TestBytes.bytes(10 + i, i % 2 == 0 ? 200_000 : 6 * MIB);
                answers.add(load.submit(() -> timed(() -> upload(admin, id, data))));
                answers.add(load.submit(() -> timed(() -> admin.get("/v2/images/" + existing + "/file"))));
            }
            Duration longest = Duration.ZERO;
            for (Future<Timed> f : answers) {
                Timed t = f.get(ANSWER_BOUND.toSeconds() * 4, TimeUnit.SECONDS);
                assertThat(t.reply().status()).as(t.reply().body()).isEqualTo(503);
                assertThat(t.reply().header("Retry-After")).contains("5");
                assertThat(t.reply().body()).contains("The server is currently unavailable. Please try again at a later time.");
                assertThat(t.took()).as("answered within the bound, not hanging").isLessThan(ANSWER_BOUND);
                longest = t.took().compareTo(longest) > 0 ? t.took() : longest;
            }
            for (String id : failedUploads) {
                assertQueuedWithoutData(admin, id);
            }
            assertThat(admin.get("/v2/images/" + existing).status()).as("metadata needs no store").isEqualTo(200);
            assertThat(admin.get("/v2/images").status()).isEqualTo(200);

            s3.restart();
            long back = System.nanoTime();
            byte[] retried = TestBytes.bytes(4, 12 * MIB);
            int status = Poll.until(Duration.ofSeconds(60), () -> upload(admin, inFlight, retried).status(), s -> s != 503);
            Duration recovered = Duration.ofNanos(System.nanoTime() - back);
            assertThat(status).as("served again without a restart").isEqualTo(204);
            assertThat(admin.get("/v2/images/" + inFlight + "/file").bytes()).isEqualTo(retried);
            for (String id : failedUploads) {
                byte[] data = TestBytes.bytes(20, 100_000);
                assertThat(upload(admin, id, data).status()).isEqualTo(204);
                assertThat(admin.get("/v2/images/" + id + "/file").bytes()).isEqualTo(data);
            }
            assertThat(admin.get("/v2/images/" + existing + "/file").bytes()).isEqualTo(existingData);

            List<String> active = new ArrayList<>(failedUploads);
            active.add(existing);
            active.add(inFlight);
            assertThat(s3.storedObjects(bucket)).as("the active images' objects, no upload left")
                    .containsExactlyInAnyOrderElementsOf(active);
            System.out.printf("s3 outage: upload in flight answered 503 after %d ms; %d requests during the outage "
                    + "answered 503 within %d ms at most; first upload after the restart %d ms%n", cutTook.toMillis(),
                    answers.size(), longest.toMillis(), recovered.toMillis());
        } finally {
            load.shutdownNow();
            s3.stop();
        }
    }

    @Test
    void aServiceAnswering503ForAMomentIsRetriedAndOneThatKeepsAnswering503Is503() throws Exception {
        S3Proxy s3 = S3Proxy.shared();
        String bucket = s3.newBucket();
        URI endpoint = URI.create(s3.endpoint());
        try (TcpProxy proxy = new TcpProxy(endpoint.getHost(), endpoint.getPort(), true)) {
            // the first connection Glint's client opens meets a 503 (armed before any: a connection the proxy cut
            // from the client's pool would fail an attempt of its own), the client's next attempt gets through
            proxy.unavailableFor(1);
            try (TestServer server = s3Glint(s3, bucket, "127.0.0.1:" + proxy.port())) {
                aServiceFailing(s3, bucket, proxy, server);
            }
        }
    }

    private static void aServiceFailing(S3Proxy s3, String bucket, TcpProxy proxy, TestServer server) {
        ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
        byte[] data = TestBytes.bytes(5, 6 * MIB);
        String id = newImage(admin);
        Reply retried = upload(admin, id, data);
        assertThat(retried.status()).as(retried.body()).isEqualTo(204);
        assertThat(proxy.turnedAway()).as("a 503 the store retried").isEqualTo(1);
        assertThat(admin.get("/v2/images/" + id + "/file").bytes()).isEqualTo(data);

        proxy.unavailable(); // for good
        String refused = newImage(admin);
        Timed t = timed(() -> upload(admin, refused, data));
        assertThat(t.reply().status()).as(t.reply().body()).isEqualTo(503);
        assertThat(t.reply().header("Retry-After")).contains("5");
        assertThat(t.took()).isLessThan(ANSWER_BOUND);
        assertQueuedWithoutData(admin, refused);
        assertThat(admin.get("/v2/images/" + id + "/file").status()).isEqualTo(503);

        proxy.open();
        assertThat(upload(admin, refused, data).status()).isEqualTo(204);
        assertThat(s3.storedObjects(bucket)).containsExactlyInAnyOrder(id, refused);
    }

    /**
     * The same for the swift store, through a proxy in front of Swift that refuses and resets connections as a Swift
     * that is down (Keystone stays up): 503 with {@code Retry-After} after {@code Backoff.DEFAULT}'s tries, an upload
     * in flight ends queued, and once Swift is back the images upload and nothing but their objects is left.
     */
    @Test
    void aSwiftOutageIs503WithRetryAfterAndGlintRecoversWhenSwiftIsBack() throws Exception {
        SwiftFixture swift = SwiftFixture.assumePresent();
        String container = swift.newContainer();
        URI storage = URI.create(swift.storageUrl());
        try (TcpProxy proxy = new TcpProxy(storage.getHost(), storage.getPort(), true)) {
            List<String> ini = new ArrayList<>(List.of("enabled_backends = objects:swift", "[glance_store]",
                    "default_backend = objects", "[objects]"));
            swift.storeOptions(container, "swift_store_large_object_chunk_size", "5", "swift_store_large_object_size", "5",
                    "swift_store_endpoint", "http://127.0.0.1:" + proxy.port() + storage.getRawPath())
                    .forEach((k, v) -> ini.add(k + " = " + v));
            try (TestServer server = TestServer.start(ini.toArray(String[]::new))) {
                ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
                byte[] existingData = TestBytes.bytes(1, 300_000);
                String existing = uploaded(admin, existingData);

                String inFlight = newImage(admin);
                // the existing image's object and two segments
                Duration cutTook = uploadCutByOutage(server, admin, inFlight, "two segments of the upload in flight in Swift",
                        () -> swift.objects(container).size() >= 3, proxy::shut);

                String failed = newImage(admin);
                Timed up = timed(() -> upload(admin, failed, TestBytes.bytes(6, 200_000)));
                Timed down = timed(() -> admin.get("/v2/images/" + existing + "/file"));
                for (Timed t : List.of(up, down)) {
                    assertThat(t.reply().status()).as(t.reply().body()).isEqualTo(503);
                    assertThat(t.reply().header("Retry-After")).contains("5");
                    assertThat(t.took()).isLessThan(ANSWER_BOUND);
                }
                assertQueuedWithoutData(admin, failed);

                proxy.open();
                long back = System.nanoTime();
                // fewer segments than the failed write left (none: one object), which a manifest would otherwise take
                byte[] retried = TestBytes.bytes(4, 4 * MIB);
                assertThat(upload(admin, inFlight, retried).status()).isEqualTo(204);
                Duration recovered = Duration.ofNanos(System.nanoTime() - back);
                assertThat(admin.get("/v2/images/" + inFlight + "/file").bytes()).isEqualTo(retried);
                byte[] data = TestBytes.bytes(7, 100_000);
                assertThat(upload(admin, failed, data).status()).isEqualTo(204);
                assertThat(admin.get("/v2/images/" + failed + "/file").bytes()).isEqualTo(data);
                assertThat(admin.get("/v2/images/" + existing + "/file").bytes()).isEqualTo(existingData);
                assertThat(swift.objects(container)).as("the active images' objects, no segments of a failed write")
                        .containsExactlyInAnyOrder(existing, inFlight, failed);
                System.out.printf("swift outage: upload in flight answered 503 after %d ms; an upload %d ms, a download "
                        + "%d ms; the retried upload of 4 MiB after Swift came back %d ms%n", cutTook.toMillis(),
                        up.took().toMillis(), down.took().toMillis(), recovered.toMillis());
            }
        }
    }

    /**
     * An upload of {@code id} cut by {@code outage} once {@code stored} holds (what the store has of it): answered 503
     * with {@code Retry-After} within the bound, the image back to queued without data. How long the answer took once
     * the rest of the body was sent.
     */
    private static Duration uploadCutByOutage(TestServer server, ApiClient admin, String id, String what,
                                              BooleanSupplier stored, Runnable outage) throws Exception {
        CountDownLatch serviceGone = new CountDownLatch(1);
        CompletableFuture<HttpResponse<String>> reply = slowUpload(server, id, serviceGone);
        Poll.until(what, Duration.ofSeconds(60), stored);
        outage.run();
        serviceGone.countDown();
        long start = System.nanoTime();
        HttpResponse<String> cut = reply.get(ANSWER_BOUND.toSeconds() + 30, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(cut.statusCode()).as(cut.body()).isEqualTo(503);
        assertThat(cut.headers().firstValue("Retry-After")).contains("5");
        assertThat(took).as("the upload in flight answered within the bound").isLessThan(ANSWER_BOUND);
        assertQueuedWithoutData(admin, id);
        return took;
    }

    /**
     * An upload of 11 MiB + 256 KiB whose last 256 KiB trickle (a byte every 200 ms) until {@code go} opens: little
     * enough for the server's buffers once the store stops taking data, so that the client has sent its whole request
     * and reads the answer (the JDK's client loses an answer that comes while it is still sending).
     */
    private static CompletableFuture<HttpResponse<String>> slowUpload(TestServer server, String id, CountDownLatch go) {
        return HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v2/images/" + id + "/file"))
                        .header("X-Auth-Token", server.adminToken()).header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new SequenceInputStream(
                                new TestBytes.Stream(2, 11L * MIB, 64 * 1024),
                                new HeldBack(go, new TestBytes.Stream(3, 256 * 1024, 64 * 1024))))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private record Timed(Reply reply, Duration took) {}

    private static Timed timed(Supplier<Reply> request) {
        long start = System.nanoTime();
        Reply r = request.get();
        return new Timed(r, Duration.ofNanos(System.nanoTime() - start));
    }

    private static String newImage(ApiClient admin) {
        Reply r = admin.post("/v2/images", obj("name", "outage", "disk_format", "raw", "container_format", "bare"));
        assertThat(r.status()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    /** A new image with {@code data}. */
    private static String uploaded(ApiClient admin, byte[] data) {
        String id = newImage(admin);
        assertThat(upload(admin, id, data).status()).isEqualTo(204);
        return id;
    }

    private static Reply upload(ApiClient admin, String id, byte[] data) {
        return admin.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream");
    }

    private static void assertQueuedWithoutData(ApiClient admin, String id) {
        JsonNode image = admin.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("queued");
        assertThat(image.get("size").isNull()).as("no size").isTrue();
        assertThat(image.get("checksum").isNull()).as("no checksum").isTrue();
    }

    /** {@code rest}, a byte at a time until {@code go} opens. */
    private static final class HeldBack extends InputStream {
        private final CountDownLatch go;
        private final InputStream rest;

        HeldBack(CountDownLatch go, InputStream rest) {
            this.go = go;
            this.rest = rest;
        }

        @Override
        public int read() throws IOException {
            released();
            return rest.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return rest.read(b, off, released() ? len : 1); // a byte every 200 ms until then: slow, never idle
        }

        private boolean released() throws IOException {
            try {
                return go.await(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }
}
