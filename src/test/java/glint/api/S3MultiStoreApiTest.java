package glint.api;

import static glint.api.ImportApiTest.awaitImage;
import static glint.api.ImportApiTest.filesUnder;
import static glint.api.ImportApiTest.newImage;
import static glint.api.ImportApiTest.random;
import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.DatabaseNeutral;
import glint.testing.S3Proxy;
import glint.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A Glint with {@code enabled_backends = fast:file, objects:s3} against a real S3 service (S3Proxy): the image data
 * path end to end over HTTP, between the two kinds of store, and nothing left behind in either.
 */
@DatabaseNeutral
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3MultiStoreApiTest {
    private final S3Proxy s3 = S3Proxy.shared();
    private final String bucket = s3.newBucket();
    private TestServer server;
    private ApiClient admin;

    @BeforeAll
    void start() {
        List<String> ini = new java.util.ArrayList<>(List.of("enabled_backends = fast:file, objects:s3",
                "show_multiple_locations = true", "[glance_store]", "default_backend = fast", "[objects]"));
        s3.storeOptions(bucket, "s3_store_large_object_chunk_size", "5", "s3_store_thread_pools", "3")
                .forEach((k, v) -> ini.add(k + " = " + v));
        server = TestServer.start(ini.toArray(String[]::new));
        admin = new ApiClient(server.baseUrl(), server.adminToken());
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** A chunked upload (no Content-Length): the store is never told the size. */
    private int uploadChunked(String id, byte[] data, String store) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v2/images/" + id + "/file"))
                .header("X-Auth-Token", server.adminToken()).header("Content-Type", "application/octet-stream")
                .header("X-Image-Meta-Store", store)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data))).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aLocationMayNameAnObjectOfTheBucketButNeitherAnotherImagesDataNorIsItEverRemoved() throws Exception {
        byte[] data = random(1000);
        String owned = newImage(admin);
        assertThat(admin.put("/v2/images/" + owned + "/file", data, "Content-Type", "application/octet-stream",
                "X-Image-Meta-Store", "objects").status()).isEqualTo(204);
        String ownedUrl = admin.get("/v2/images/" + owned).json().at("/locations/0/url").asText();
        assertThat(ownedUrl).startsWith("s3://").endsWith("/" + owned);

        // OSSN-0065: another image may not alias that data (it could read a private image's data, or delete it)
        String other = newImage(admin);
        Reply alias = admin.patch("/v2/images/" + other, List.of(obj("op", "add", "path", "/locations/-", "value",
                obj("url", ownedUrl, "metadata", obj()))));
        assertThat(alias.status()).isEqualTo(400);
        assertThat(alias.body()).contains("Invalid location");

        // an object of the bucket that is no image's data may be named, and is Glint's to read, never to delete
        s3.client().putObject(b -> b.bucket(bucket).key("external-object"),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(data));
        String external = ownedUrl.substring(0, ownedUrl.lastIndexOf('/') + 1) + "external-object";
        assertThat(admin.patch("/v2/images/" + other, List.of(obj("op", "add", "path", "/locations/-", "value",
                obj("url", external, "metadata", obj())))).status()).isEqualTo(200);
        var image = admin.get("/v2/images/" + other).json();
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("stores").asText()).isEqualTo("objects");
        assertThat(admin.get("/v2/images/" + other + "/file").bytes()).isEqualTo(data);
        assertThat(admin.delete("/v2/images/" + other).status()).isEqualTo(204);
        assertThat(admin.delete("/v2/images/" + owned).status()).isEqualTo(204);
        assertThat(s3.storedObjects(bucket)).containsExactly("external-object");
        s3.client().deleteObject(b -> b.bucket(bucket).key("external-object"));
    }

    @Test
    void uploadDownloadWithRangeCopyBetweenStoresAndDeleteLeaveNothing() throws Exception {
        byte[] data = random(23 * 1024 * 1024 + 77); // five parts of 5 MiB
        String inS3 = newImage(admin);
        assertThat(uploadChunked(inS3, data, "objects")).isEqualTo(204);
        var image = admin.get("/v2/images/" + inS3).json();
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("stores").asText()).isEqualTo("objects");
        assertThat(image.get("checksum").asText()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data)));
        assertThat(s3.storedObjects(bucket)).containsExactly(inS3);

        assertThat(admin.get("/v2/images/" + inS3 + "/file").bytes()).isEqualTo(data);
        Reply range = admin.get("/v2/images/" + inS3 + "/file", "Range", "bytes=5242870-5242889");
        assertThat(range.status()).isEqualTo(206);
        assertThat(range.bytes()).isEqualTo(Arrays.copyOfRange(data, 5242870, 5242890));

        // copy-image: from s3 to the file store, and from the file store to s3
        assertThat(admin.post("/v2/images/" + inS3 + "/import", obj("method", obj("name", "copy-image"),
                "stores", List.of("fast"))).status()).isEqualTo(202);
        awaitImage(admin, inS3, i -> i.get("stores").asText().equals("fast,objects")
                || i.get("stores").asText().equals("objects,fast"));
        assertThat(filesUnder(server.dataDir().resolve("images").resolve("fast"), inS3)).isEqualTo(1);

        byte[] small = random(70_000);
        String inFile = newImage(admin);
        assertThat(admin.put("/v2/images/" + inFile + "/file", small, "Content-Type", "application/octet-stream").status())
                .isEqualTo(204);
        assertThat(admin.post("/v2/images/" + inFile + "/import", obj("method", obj("name", "copy-image"),
                "stores", List.of("objects"))).status()).isEqualTo(202);
        awaitImage(admin, inFile, i -> i.get("stores").asText().contains("objects"));
        assertThat(s3.storedObjects(bucket)).containsExactlyInAnyOrder(inS3, inFile);

        assertThat(admin.delete("/v2/images/" + inS3).status()).isEqualTo(204);
        assertThat(admin.delete("/v2/images/" + inFile).status()).isEqualTo(204);
        assertThat(s3.storedObjects(bucket)).isEmpty();
        assertThat(s3.filesOnDisk(bucket)).as("S3Proxy's directory").isEmpty();
        assertThat(filesUnder(server.dataDir().resolve("images"))).isZero();
    }

    @Test
    void anUploadRefusedAfterSomePartsLeavesNothingInS3() throws Exception {
        String id = newImage(admin);
        byte[] data = random(12 * 1024 * 1024);
        Reply r = admin.put("/v2/images/" + id + "/file", data, "Content-Type", "application/octet-stream",
                "X-Image-Meta-Store", "objects", "x-openstack-image-size", String.valueOf(11 * 1024 * 1024)); // refused past 11 MiB
        assertThat(r.status()).isEqualTo(400);
        assertThat(admin.get("/v2/images/" + id).json().get("status").asText()).isEqualTo("queued");
        assertThat(s3.storedObjects(bucket)).doesNotContain(id, "upload " + id);
        assertThat(s3.filesOnDisk(bucket)).noneMatch(f -> f.contains(id));
    }
}
