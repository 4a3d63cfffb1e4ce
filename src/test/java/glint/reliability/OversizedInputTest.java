package glint.reliability;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.RawHttp;
import glint.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Inputs past every bound, each refused early with a 4xx, with Glance's statuses and messages where Glance has the
 * bound (its quotas, {@code max_header_line}) and a bounded read where it has none (JSON bodies: Glance reads any body
 * whole). That memory stays flat is shown by what the server reads, not by timing: a body announced too long is refused
 * before a byte of it is sent, a chunked one once the limit is passed, with the rest never sent.
 */
class OversizedInputTest {
    private static final int LIMIT = 1 << 20; // [oslo_middleware] max_request_body_size, Glint's default
    private static TestServer server;
    private static ApiClient alice;
    private static ApiClient admin;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        alice = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
        admin = new ApiClient(server.baseUrl(), server.adminToken());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String newImage(String visibility) {
        Reply r = alice.post("/v2/images", obj("name", "big-input", "disk_format", "raw", "container_format", "bare",
                "visibility", visibility));
        assertThat(r.status()).isEqualTo(201);
        return r.json().get("id").asText();
    }

    @Test
    void aBodyAnnouncedLongerThanTheLimitIsRefusedBeforeAByteIsSent() throws Exception {
        try (RawHttp http = new RawHttp(server.port())) {
            http.head("POST", "/v2/images", "X-Auth-Token: " + alice.token(), "Content-Type: application/json",
                    "Content-Length: 100000000000");
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(413);
            assertThat(new String(http.input().readNBytes((int) head.contentLength()), StandardCharsets.UTF_8))
                    .contains("Request is too large.");
        }
    }

    @Test
    void aChunkedBodyIsReadNoFurtherThanTheLimit() throws Exception {
        try (RawHttp http = new RawHttp(server.port())) {
            http.head("POST", "/v2/images", "X-Auth-Token: " + alice.token(), "Content-Type: application/json",
                    "Transfer-Encoding: chunked");
            byte[] spaces = new byte[64 * 1024];
            java.util.Arrays.fill(spaces, (byte) ' ');
            String size = Integer.toHexString(spaces.length) + "\r\n";
            for (int sent = 0; sent <= LIMIT; sent += spaces.length) {
                http.send(size).send(spaces).send("\r\n");
            }
            // the body goes on (no last chunk is ever sent): the answer comes from what was read so far
            RawHttp.Head head = http.readHead();
            assertThat(head.status()).isEqualTo(413);
        }
    }

    @Test
    void aJsonPatchOfAHundredThousandOperationsIs413AndChangesNothing() throws Exception {
        String id = newImage("private");
        StringBuilder patch = new StringBuilder("[");
        for (int i = 0; i < 100_000; i++) {
            patch.append(i == 0 ? "" : ",").append("{\"op\":\"add\",\"path\":\"/p").append(i).append("\",\"value\":\"v\"}");
        }
        // announced, then sent only once the server has not answered: the 413 comes on its Content-Length (a client
        // that sends 3.5 MB unasked may find the connection reset under its answer: the server does not read what
        // it refused)
        byte[] body = patch.append("]").toString().getBytes(StandardCharsets.UTF_8);
        try (RawHttp http = new RawHttp(server.port())) {
            http.head("PATCH", "/v2/images/" + id, "X-Auth-Token: " + alice.token(),
                    "Content-Type: application/openstack-images-v2.1-json-patch", "Content-Length: " + body.length);
            assertThat(http.readHead().status()).isEqualTo(413);
        }
        assertThat(alice.get("/v2/images/" + id).json().has("p1")).isFalse();
    }

    @Test
    void aPatchUnderTheLimitWithThousandsOfOperationsIsAnsweredAndBoundByTheQuota() {
        String id = newImage("private");
        StringBuilder patch = new StringBuilder("[");
        for (int i = 0; i < 20_000; i++) {
            patch.append(i == 0 ? "" : ",").append("{\"op\":\"add\",\"path\":\"/p").append(i).append("\",\"value\":\"v\"}");
        }
        Reply r = alice.patch("/v2/images/" + id, patch.append("]").toString());
        assertThat(r.status()).as(r.body()).isEqualTo(413);
        assertThat(r.body()).contains("The limit has been exceeded on the number of allowed image properties. "
                + "Attempted: 20000, Maximum: 128");
    }

    @Test
    void deeplyNestedJsonIs400() {
        Reply r = alice.post("/v2/images", "[".repeat(200_000));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("Malformed JSON in request body.");
    }

    @Test
    void headerLinesUpToGlancesMaxHeaderLineAreAcceptedLongerOnes400() throws Exception {
        // "X-Padding: " + value + CRLF is 16384 bytes: eventlet's (and Glance's) max_header_line
        assertThat(alice.get("/v2/images", "X-Padding", "a".repeat(16384 - 13)).status()).isEqualTo(200);
        Reply tooLong = alice.get("/v2/images", "X-Padding", "a".repeat(16384 - 12));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.body()).contains("Header Line Too Long");
    }

    @Test
    void aHeadPast64KiBIs431AndARequestLinePastIt414() throws Exception {
        try (RawHttp http = new RawHttp(server.port())) {
            List<String> headers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                headers.add("X-Padding-" + i + ": " + "a".repeat(12_000));
            }
            http.head("GET", "/v2/images", headers.toArray(String[]::new));
            assertThat(http.readHead().status()).isEqualTo(431);
        }
        try (RawHttp http = new RawHttp(server.port())) {
            http.head("GET", "/v2/images?name=" + "a".repeat(70_000));
            assertThat(http.readHead().status()).isEqualTo(414);
        }
    }

    @Test
    void queryStringsOfThousandsOfParametersAreAnsweredWithoutAServerError() {
        String many = "?" + "name=a&".repeat(5000) + "limit=5";
        assertThat(alice.get("/v2/images" + many).status()).isEqualTo(200);
        assertThat(alice.get("/v2/images?" + "sort_key=name&".repeat(2000)).status()).isBetween(200, 499);
        assertThat(alice.get("/v2/images?limit=99999999999999999999999").status()).isEqualTo(400);
        assertThat(alice.get("/v2/images?marker=" + "x".repeat(30_000)).status()).isBetween(400, 499);
    }

    @Test
    void propertiesAreBoundByGlancesQuotaAndLengths() {
        String id = newImage("private");
        List<Map<String, Object>> ops = new ArrayList<>();
        for (int i = 0; i < 128; i++) {
            ops.add(obj("op", "add", "path", "/prop" + i, "value", "v"));
        }
        assertThat(alice.patch("/v2/images/" + id, ops).status()).isEqualTo(200);
        Reply over = alice.patch("/v2/images/" + id, List.of(obj("op", "add", "path", "/one_more", "value", "v")));
        assertThat(over.status()).isEqualTo(413);
        assertThat(over.body()).contains("The limit has been exceeded on the number of allowed image properties. "
                + "Attempted: 129, Maximum: 128");

        String other = newImage("private");
        Reply longName = alice.patch("/v2/images/" + other, List.of(obj("op", "add", "path", "/" + "n".repeat(256), "value", "v")));
        assertThat(longName.status()).isEqualTo(400);
        // Glance's schema has no maxLength for values (its MySQL TEXT column ends at 65 535 bytes, with a 500)
        String longest = "v".repeat(65_535);
        assertThat(alice.patch("/v2/images/" + other, List.of(obj("op", "add", "path", "/n", "value", longest))).status())
                .isEqualTo(200);
        assertThat(alice.get("/v2/images/" + other).json().get("n").asText()).isEqualTo(longest);
        Reply longer = alice.patch("/v2/images/" + other, List.of(obj("op", "add", "path", "/m", "value", longest + "v")));
        assertThat(longer.status()).isEqualTo(400);
        Reply longerOnCreate = alice.post("/v2/images", obj("name", "x", "m", longest + "v"));
        assertThat(longerOnCreate.status()).isEqualTo(400);
    }

    @Test
    void tagsAreBoundByGlancesQuotaAndLength() {
        String id = newImage("private");
        for (int i = 0; i < 128; i++) {
            assertThat(alice.put("/v2/images/" + id + "/tags/t" + i, null).status()).isEqualTo(204);
        }
        Reply over = alice.put("/v2/images/" + id + "/tags/one-more", null);
        assertThat(over.status()).isEqualTo(413);
        assertThat(over.body()).contains("The limit has been exceeded on the number of allowed image tags. "
                + "Attempted: 129, Maximum: 128");
        assertThat(alice.put("/v2/images/" + newImage("private") + "/tags/" + "t".repeat(256), null).status()).isEqualTo(400);
    }

    @Test
    void membersAreBoundByGlancesQuota() {
        String id = newImage("shared");
        for (int i = 0; i < 128; i++) {
            assertThat(alice.post("/v2/images/" + id + "/members", obj("member", "project-" + i)).status()).isEqualTo(200);
        }
        Reply over = alice.post("/v2/images/" + id + "/members", obj("member", "project-128"));
        assertThat(over.status()).isEqualTo(413);
        assertThat(over.body()).contains("The limit has been exceeded on the number of allowed image members for this "
                + "image. Attempted: 129, Maximum: 128");
    }
}
