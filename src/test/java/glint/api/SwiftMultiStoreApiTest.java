package glint.api;

import static glint.api.ImportApiTest.awaitImage;
import static glint.api.ImportApiTest.filesUnder;
import static glint.api.ImportApiTest.newImage;
import static glint.api.ImportApiTest.random;
import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.DatabaseNeutral;
import glint.testing.S3Proxy;
import glint.testing.SwiftFixture;
import glint.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A Glint with {@code enabled_backends = fast:file, objects:s3, swift:swift} against a real S3 service (S3Proxy) and a
 * real Swift (Debian's, keystone auth against a Glint's built-in identity): uploads to Swift, small and segmented,
 * downloads with ranges, copy-image between all three kinds of store, and nothing left behind in any.
 */
@DatabaseNeutral
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SwiftMultiStoreApiTest {
    private SwiftFixture swift;
    private final S3Proxy s3 = S3Proxy.shared();
    private final String bucket = s3.newBucket();
    private String container;
    private TestServer server;
    private ApiClient admin;

    @BeforeAll
    void start() {
        swift = SwiftFixture.assumePresent();
        container = swift.newContainer();
        List<String> ini = new ArrayList<>(List.of("enabled_backends = fast:file, objects:s3, swift:swift",
                "show_multiple_locations = true", "[glance_store]", "default_backend = fast", "[objects]"));
        s3.storeOptions(bucket, "s3_store_large_object_chunk_size", "5", "s3_store_thread_pools", "3")
                .forEach((k, v) -> ini.add(k + " = " + v));
        ini.add("[swift]");
        swift.storeOptions(container, "swift_store_large_object_chunk_size", "5", "swift_store_large_object_size", "5")
                .forEach((k, v) -> ini.add(k + " = " + v));
        server = TestServer.start(ini.toArray(String[]::new));
        admin = new ApiClient(server.baseUrl(), server.adminToken());
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A chunked upload (no Content-Length): the store is never told the size. */
    private int uploadChunked(String id, byte[] data, String store, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v2/images/" + id + "/file"));
        if (headers.length > 0) {
            b.headers(headers);
        }
        HttpRequest request = b
                .header("X-Auth-Token", server.adminToken()).header("Content-Type", "application/octet-stream")
                .header("X-Image-Meta-Store", store)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data))).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static Set<String> stores(JsonNode image) {
        return new TreeSet<>(List.of(image.get("stores").asText().split(",")));
    }

    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    @Test
    void segmentedUploadRangesCopyImageBetweenFileS3AndSwiftAndDeleteLeaveNothing() throws Exception {
        byte[] data = random(12 * 1024 * 1024 + 77); // three segments of 5 120 000 bytes
        String inSwift = newImage(admin);
        assertThat(uploadChunked(inSwift, data, "swift")).isEqualTo(204);
        JsonNode image = admin.get("/v2/images/" + inSwift).json();
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("stores").asText()).isEqualTo("swift");
        assertThat(image.get("checksum").asText()).isEqualTo(md5(data));
        assertThat(image.at("/locations/0/url").asText()).isEqualTo("swift+config://ref1/" + container + "/" + inSwift);
        // glance_store's layout: the manifest and its segments
        assertThat(swift.objects(container)).containsExactly(inSwift, inSwift + "-00001", inSwift + "-00002", inSwift + "-00003");
        assertThat(swift.head(container, inSwift).headers().firstValue("X-Object-Manifest"))
                .hasValue(container + "/" + inSwift + "-");

        assertThat(admin.get("/v2/images/" + inSwift + "/file").bytes()).isEqualTo(data);
        Reply range = admin.get("/v2/images/" + inSwift + "/file", "Range", "bytes=5119990-5120009"); // across segments
        assertThat(range.status()).isEqualTo(206);
        assertThat(range.bytes()).isEqualTo(Arrays.copyOfRange(data, 5119990, 5120010));

        // copy-image: from swift to the file and s3 stores
        assertThat(admin.post("/v2/images/" + inSwift + "/import", obj("method", obj("name", "copy-image"),
                "stores", List.of("fast", "objects"))).status()).isEqualTo(202);
        awaitImage(admin, inSwift, i -> stores(i).equals(Set.of("fast", "objects", "swift")));
        assertThat(filesUnder(server.dataDir().resolve("images").resolve("fast"), inSwift)).isEqualTo(1);
        assertThat(s3.storedObjects(bucket)).containsExactly(inSwift);

        // and from s3 to swift: a small image, one object
        byte[] small = random(70_000);
        String inS3 = newImage(admin);
        assertThat(admin.put("/v2/images/" + inS3 + "/file", small, "Content-Type", "application/octet-stream",
                "X-Image-Meta-Store", "objects").status()).isEqualTo(204);
        assertThat(admin.post("/v2/images/" + inS3 + "/import", obj("method", obj("name", "copy-image"),
                "stores", List.of("swift"))).status()).isEqualTo(202);
        awaitImage(admin, inS3, i -> stores(i).equals(Set.of("objects", "swift")));
        assertThat(swift.objects(container)).contains(inS3).doesNotContain(inS3 + "-00001");

        // the copy in swift is the image: with the s3 copy gone, downloads come from swift
        assertThat(admin.delete("/v2/stores/objects/" + inS3).status()).isEqualTo(204);
        assertThat(admin.get("/v2/images/" + inS3 + "/file").bytes()).isEqualTo(small);

        assertThat(admin.delete("/v2/images/" + inSwift).status()).isEqualTo(204);
        assertThat(admin.delete("/v2/images/" + inS3).status()).isEqualTo(204);
        assertThat(swift.objects(container)).isEmpty();
        assertThat(s3.storedObjects(bucket)).isEmpty();
        assertThat(filesUnder(server.dataDir().resolve("images"))).isZero();
    }

    @Test
    void anUploadRefusedAfterSomeSegmentsLeavesNothingInSwift() throws Exception {
        String id = newImage(admin);
        byte[] data = random(12 * 1024 * 1024);
        // chunked, so that the refusal comes past 11 MiB, after two segments were stored
        assertThat(uploadChunked(id, data, "swift", "x-openstack-image-size", String.valueOf(11 * 1024 * 1024))).isEqualTo(400);
        assertThat(admin.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("queued");
        assertThat(swift.objects(container)).noneMatch(name -> name.startsWith(id));
    }

    @Test
    void theStoreIsListedAndDetailedAsSwift() {
        JsonNode detail = admin.get("/v2/info/stores/detail").json();
        JsonNode store = null;
        for (JsonNode s : detail.get("stores")) {
            if (s.get("id").asText().equals("swift")) {
                store = s;
            }
        }
        assertThat(store).isNotNull();
        assertThat(store.get("type").asText()).isEqualTo("swift");
        assertThat(store.at("/properties/swift_store_container").asText()).isEqualTo(container);
    }
}
