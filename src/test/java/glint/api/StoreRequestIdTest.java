package glint.api;

import static glint.api.ImportApiTest.awaitTask;
import static glint.api.ImportApiTest.newImage;
import static glint.api.ImportApiTest.random;
import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.auth.RequestIds;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.DatabaseNeutral;
import glint.testing.HttpRequestHeads.Head;
import glint.testing.S3Proxy;
import glint.testing.SwiftFixture;
import glint.testing.TcpProxy;
import glint.testing.TestServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The id of an API request goes, as {@code X-OpenStack-Request-ID}, with every request the s3 and swift stores make
 * for it, whichever thread makes it: the request's own, the upload pipeline's writer thread, the s3 store's part
 * senders, an import task and the reader of its copy. A {@link TcpProxy} in front of the object store (S3Proxy,
 * Swift) shows the heads of the requests Glint sends it; each must carry the id the API answered.
 */
@DatabaseNeutral
class StoreRequestIdTest {
    private static final int SIZE = 12 * 1024 * 1024 + 77; // three parts or segments of 5 MiB / 5 120 000 bytes

    @Test
    void everyS3RequestCarriesTheIdOfTheApiRequestItServes() throws Exception {
        S3Proxy s3 = S3Proxy.shared();
        String bucket = s3.newBucket();
        String copies = s3.newBucket();
        URI service = URI.create("http://" + s3.storeOptions(bucket).get("s3_store_host"));
        try (TcpProxy proxy = new TcpProxy(service.getHost(), service.getPort(), true)) {
            List<Head> seen = new CopyOnWriteArrayList<>();
            proxy.onRequest(seen::add);
            String through = "127.0.0.1:" + proxy.port();
            List<String> ini = new ArrayList<>(List.of("enabled_backends = objects:s3, copies:s3", "[glance_store]",
                    "default_backend = objects", "[objects]"));
            s3.storeOptions(bucket, "s3_store_host", through, "s3_store_large_object_chunk_size", "5",
                    "s3_store_thread_pools", "2").forEach((k, v) -> ini.add(k + " = " + v));
            ini.add("[copies]");
            s3.storeOptions(copies, "s3_store_host", through, "s3_store_large_object_chunk_size", "5")
                    .forEach((k, v) -> ini.add(k + " = " + v));
            try (TestServer server = TestServer.start(ini.toArray(String[]::new))) {
                eachStoreRequestCarriesItsId(server, seen, h -> h.method().equals("PUT") && h.target().contains("partNumber="));
            }
        }
    }

    @Test
    void everySwiftRequestCarriesTheIdOfTheApiRequestItServes() throws Exception {
        SwiftFixture swift = SwiftFixture.assumePresent();
        URI storage = URI.create(swift.storageUrl());
        try (TcpProxy proxy = new TcpProxy(storage.getHost(), storage.getPort(), true)) {
            List<Head> seen = new CopyOnWriteArrayList<>();
            proxy.onRequest(seen::add);
            String endpoint = "http://127.0.0.1:" + proxy.port() + storage.getRawPath();
            List<String> ini = new ArrayList<>(List.of("enabled_backends = objects:swift, copies:swift", "[glance_store]",
                    "default_backend = objects"));
            for (String store : List.of("objects", "copies")) {
                ini.add("[" + store + "]");
                swift.storeOptions(swift.newContainer(), "swift_store_endpoint", endpoint,
                        "swift_store_large_object_chunk_size", "5", "swift_store_large_object_size", "5")
                        .forEach((k, v) -> ini.add(k + " = " + v));
            }
            try (TestServer server = TestServer.start(ini.toArray(String[]::new))) {
                eachStoreRequestCarriesItsId(server, seen, h -> h.method().equals("PUT") && h.target().matches(".*-\\d{5}"));
            }
        }
    }

    /**
     * An upload to {@code objects} (streamed: {@code streamed} tells its part or segment PUTs), a download, a copy to
     * {@code copies} and the image's deletion; the requests the store got during each carry that call's id.
     */
    private static void eachStoreRequestCarriesItsId(TestServer server, List<Head> seen, Predicate<Head> streamed) {
        ApiClient admin = new ApiClient(server.baseUrl(), server.adminToken());
        byte[] data = random(SIZE);
        String image = newImage(admin);

        int from = seen.size();
        Reply upload = admin.put("/v2/images/" + image + "/file", data, "Content-Type", "application/octet-stream");
        assertThat(upload.status()).as(upload.body()).isEqualTo(204);
        assertCarry(seen.subList(from, seen.size()), upload, streamed);

        from = seen.size();
        Reply download = admin.get("/v2/images/" + image + "/file");
        assertThat(download.bytes()).isEqualTo(data);
        assertCarry(seen.subList(from, seen.size()), download, h -> h.method().equals("GET"));

        from = seen.size();
        Reply copy = admin.post("/v2/images/" + image + "/import", obj("method", obj("name", "copy-image"),
                "stores", List.of("copies")));
        assertThat(copy.status()).as(copy.body()).isEqualTo(202);
        awaitTask(admin, image, "success");
        assertCarry(seen.subList(from, seen.size()), copy, streamed);

        from = seen.size();
        Reply delete = admin.delete("/v2/images/" + image);
        assertThat(delete.status()).isEqualTo(204);
        assertCarry(seen.subList(from, seen.size()), delete, h -> h.method().equals("DELETE"));
    }

    /** {@code sent} (one of which {@code expected} holds) all carry the request id {@code reply} answered. */
    private static void assertCarry(List<Head> sent, Reply reply, Predicate<Head> expected) {
        String id = reply.header("x-openstack-request-id").orElseThrow();
        assertThat(List.copyOf(sent)).anyMatch(expected).allSatisfy(h -> assertThat(h.header(RequestIds.HEADER))
                .as("%s %s", h.method(), h.target()).hasValue(id));
    }
}
