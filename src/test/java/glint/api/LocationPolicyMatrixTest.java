package glint.api;

import static glint.api.LocationsPatchApiTest.add;
import static glint.api.LocationsPatchApiTest.patch;
import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.FakeWeb;
import glint.testing.TestServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The status codes of the locations API for each caller, as Glance's secure-RBAC defaults give them
 * (glance/policies/image.py {@code set_image_location}: admin or project member; {@code delete_image_location}:
 * admin; {@code get_image_location}: admin or project reader; 2.17's {@code add_image_location}: service or a member
 * of the owning project, {@code fetch_image_location}: service; base.py {@code service_api}: the service or admin
 * role; discovery.py {@code stores_info_detail}: admin or service), with Glance's 404 for a caller who cannot see
 * the image. Images belong to project alpha and are private or public.
 *
 * <p>Callers: {@code admin}; {@code owner} (member of alpha); {@code reader} (reader of alpha); {@code other} (member
 * of beta); {@code service} (reader and service in a project of its own: it sees public images only);
 * {@code anon}.
 */
class LocationPolicyMatrixTest {
    static final String TABLE = """
            # route          caller    private public
            stores-detail    admin     200
            stores-detail    owner     403
            stores-detail    reader    403
            stores-detail    other     403
            stores-detail    service   200
            stores-detail    anon      401
            patch-add        admin     200 200
            patch-add        owner     200 200
            patch-add        reader    403 403
            patch-add        other     404 403
            patch-add        service   404 403
            patch-remove     admin     200 200
            patch-remove     owner     403 403
            patch-remove     reader    403 403
            patch-remove     other     404 403
            patch-remove     service   404 403
            store-delete     admin     204 204
            store-delete     owner     403 403
            store-delete     reader    403 403
            store-delete     other     404 403
            store-delete     service   404 403
            store-delete     anon      401 401
            locations-get    admin     200 200
            locations-get    owner     403 403
            locations-get    reader    403 403
            locations-get    other     404 403
            locations-get    service   404 200
            locations-get    anon      401 401
            locations-post   admin     202 202
            locations-post   owner     202 202
            locations-post   reader    403 403
            locations-post   other     404 403
            locations-post   service   404 202
            locations-post   anon      401 401
            """;

    static final List<String> VISIBILITIES = List.of("private", "public");

    /** Whether a route needs a queued image or an active one in fast with an http location too. */
    record Route(boolean queued, Request request) {}

    interface Request {
        Reply send(ApiClient caller, String image);
    }

    private static FakeWeb web;
    private static String url;
    private static TestServer server;
    private static ApiClient admin;
    private static String alpha;
    private static final Map<String, ApiClient> CALLERS = new HashMap<>();
    private static final Map<String, Route> ROUTES = new HashMap<>();

    @BeforeAll
    static void start() {
        web = FakeWeb.start();
        url = web.put("/image", new byte[] {1, 2, 3, 4});
        server = TestServer.start(LocationsPatchApiTest.config(web));
        admin = new ApiClient(server.baseUrl(), server.adminToken());
        alpha = server.projectId("alpha");
        CALLERS.put("admin", admin);
        CALLERS.put("owner", new ApiClient(server.baseUrl(), server.tokenFor("alpha", "m-owner", "member")));
        CALLERS.put("reader", new ApiClient(server.baseUrl(), server.tokenFor("alpha", "m-reader", "reader")));
        CALLERS.put("other", new ApiClient(server.baseUrl(), server.tokenFor("beta", "m-other", "member")));
        server.tokenFor("svc", "m-service", "reader");
        CALLERS.put("service", new ApiClient(server.baseUrl(), server.tokenFor("svc", "m-service", "service")));
        CALLERS.put("anon", new ApiClient(server.baseUrl(), null));
        ROUTES.put("stores-detail", new Route(false, (c, id) -> c.get("/v2/info/stores/detail")));
        ROUTES.put("patch-add", new Route(true, (c, id) -> patch(c, id, add("/locations/-", url, Map.of()))));
        ROUTES.put("patch-remove", new Route(false, (c, id) -> patch(c, id, obj("op", "remove", "path", "/locations/1"))));
        ROUTES.put("store-delete", new Route(false, (c, id) -> c.delete("/v2/stores/web/" + id)));
        ROUTES.put("locations-get", new Route(false, (c, id) -> c.get("/v2/images/" + id + "/locations")));
        ROUTES.put("locations-post", new Route(true, (c, id) -> c.post("/v2/images/" + id + "/locations", obj("url", url))));
    }

    @AfterAll
    static void stop() {
        server.close();
        web.close();
    }

    static Stream<Arguments> matrix() {
        return PolicyMatrixTest.cells(TABLE, VISIBILITIES, "private").stream().map(Arguments::of);
    }

    /** An image of alpha: queued, or active in fast with the http location second. */
    private static String fixture(String visibility, boolean queued) {
        Reply created = admin.post("/v2/images", obj("name", "matrix", "visibility", visibility, "owner", alpha,
                "disk_format", "raw", "container_format", "bare"));
        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asText();
        if (!queued) {
            assertThat(admin.put("/v2/images/" + id + "/file", new byte[] {1, 2, 3, 4}, "Content-Type",
                    "application/octet-stream").status()).isEqualTo(204);
            assertThat(patch(admin, id, add("/locations/-", url, Map.of())).status()).isEqualTo(200);
        }
        return id;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void statusCodeIsGlances(PolicyMatrixTest.Cell cell) {
        Route route = ROUTES.get(cell.route());
        String image = fixture(cell.visibility(), route.queued());
        Reply reply = route.request().send(CALLERS.get(cell.caller()), image);
        assertThat(reply.status()).as("%s: %s", cell, reply.body()).isEqualTo(cell.expected());
    }
}
