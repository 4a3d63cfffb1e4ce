package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.TestServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The status code of every image route for every kind of caller and image visibility, as Glance 25.1 answers with
 * its secure-RBAC defaults (glance/policies/base.py, image.py, image_member.py) and its API-layer checks
 * (glance/api/v2/policy.py ImageAPIPolicy/MemberAPIPolicy: a refused rule is 404 when the caller cannot see the
 * image, 403 otherwise; glance/api/v2/image_members.py: only shared images have members, show turns 403 into 404).
 *
 * <p>Callers: {@code admin} (admin role, project admin); {@code owner} (member of the image's project alpha);
 * {@code reader} (reader of alpha); {@code other} (member of an unrelated project); {@code pending},
 * {@code accepted}, {@code rejected} (member role in a project the shared image is shared with, in that member
 * status); {@code anon} (no token). Member routes name the caller's own membership when it has one, else the
 * accepted project's. Images are made by admin for project alpha; each mutating cell gets a fresh one.
 * Columns: private, shared, public, community ({@code -}: not applicable); one value: any visibility.
 * {@code listed} is not a status code but whether {@code GET /v2/images} (no filters, so {@code member_status=accepted}
 * and community images only when owned by the caller's project) includes the image: 1 or 0.
 * {@code create-alpha} creates an image for project alpha (the {@code owner} field); {@code publicize} and
 * {@code communitize} PATCH the visibility; {@code download-deact} downloads a deactivated image.
 * {@code scripts/policy-matrix-peer.py} replays this table against the real Glance (see docs/testing.md).
 */
class PolicyMatrixTest {
    static final String TABLE = """
            # route        caller    private shared public community
            show           admin     200 200 200 200
            show           owner     200 200 200 200
            show           reader    200 200 200 200
            show           other     404 404 200 200
            show           pending   -   200 -   -
            show           accepted  -   200 -   -
            show           rejected  -   200 -   -
            show           anon      401 401 401 401
            list           admin     200
            list           reader    200
            list           other     200
            list           anon      401
            listed         admin     1   1   1   0
            listed         owner     1   1   1   1
            listed         reader    1   1   1   1
            listed         other     0   0   1   0
            listed         pending   -   0   -   -
            listed         accepted  -   1   -   -
            listed         rejected  -   0   -   -
            create         admin     201 201 201 201
            create         owner     201 201 403 201
            create         reader    403 403 403 403
            create         anon      401 401 401 401
            update         admin     200 200 200 200
            update         owner     200 200 200 200
            update         reader    403 403 403 403
            update         other     404 404 403 403
            update         pending   -   403 -   -
            update         accepted  -   403 -   -
            update         rejected  -   403 -   -
            update         anon      401 401 401 401
            delete         admin     204 204 204 204
            delete         owner     204 204 204 204
            delete         reader    403 403 403 403
            delete         other     404 404 403 403
            delete         pending   -   403 -   -
            delete         accepted  -   403 -   -
            delete         rejected  -   403 -   -
            delete         anon      401 401 401 401
            upload         admin     204 204 204 204
            upload         owner     204 204 204 204
            upload         reader    403 403 403 403
            upload         other     404 404 403 403
            upload         pending   -   403 -   -
            upload         accepted  -   403 -   -
            upload         rejected  -   403 -   -
            upload         anon      401 401 401 401
            download       admin     200 200 200 200
            download       owner     200 200 200 200
            download       reader    403 403 403 403
            download       other     404 404 200 200
            download       pending   -   200 -   -
            download       accepted  -   200 -   -
            download       rejected  -   200 -   -
            download       anon      401 401 401 401
            tag-add        admin     204 204 204 204
            tag-add        owner     204 204 204 204
            tag-add        reader    403 403 403 403
            tag-add        other     404 404 403 403
            tag-add        pending   -   403 -   -
            tag-add        accepted  -   403 -   -
            tag-add        anon      401 401 401 401
            tag-delete     admin     204 204 204 204
            tag-delete     owner     204 204 204 204
            tag-delete     reader    403 403 403 403
            tag-delete     other     404 404 403 403
            tag-delete     accepted  -   403 -   -
            tag-delete     anon      401 401 401 401
            deactivate     admin     204 204 204 204
            deactivate     owner     204 204 204 204
            deactivate     reader    403 403 403 403
            deactivate     other     404 404 403 403
            deactivate     accepted  -   403 -   -
            deactivate     anon      401 401 401 401
            reactivate     admin     204 204 204 204
            reactivate     owner     204 204 204 204
            reactivate     reader    403 403 403 403
            reactivate     other     404 404 403 403
            reactivate     accepted  -   403 -   -
            reactivate     anon      401 401 401 401
            members-list   admin     403 200 403 403
            members-list   owner     403 200 403 403
            members-list   reader    403 200 403 403
            members-list   other     404 404 403 403
            members-list   pending   -   200 -   -
            members-list   accepted  -   200 -   -
            members-list   rejected  -   200 -   -
            members-list   anon      401 401 401 401
            member-add     admin     403 200 403 403
            member-add     owner     403 200 403 403
            member-add     reader    403 403 403 403
            member-add     other     404 404 403 403
            member-add     pending   -   403 -   -
            member-add     accepted  -   403 -   -
            member-add     rejected  -   403 -   -
            member-add     anon      401 401 401 401
            member-show    admin     404 200 404 404
            member-show    owner     404 200 404 404
            member-show    reader    404 200 404 404
            member-show    other     404 404 404 404
            member-show    pending   -   200 -   -
            member-show    accepted  -   200 -   -
            member-show    rejected  -   200 -   -
            member-show    anon      401 401 401 401
            member-update  admin     403 200 403 403
            member-update  owner     403 403 403 403
            member-update  reader    403 403 403 403
            member-update  other     404 404 403 403
            member-update  pending   -   200 -   -
            member-update  accepted  -   200 -   -
            member-update  rejected  -   200 -   -
            member-update  anon      401 401 401 401
            member-delete  admin     403 204 403 403
            member-delete  owner     403 204 403 403
            member-delete  reader    403 403 403 403
            member-delete  other     404 404 403 403
            member-delete  pending   -   403 -   -
            member-delete  accepted  -   403 -   -
            member-delete  rejected  -   403 -   -
            member-delete  anon      401 401 401 401
            create-alpha   admin     201 201 201 201
            create-alpha   owner     201 201 403 201
            create-alpha   reader    403 403 403 403
            create-alpha   other     403 403 403 403
            create-alpha   anon      401 401 401 401
            publicize      admin     200 200 200 200
            publicize      owner     403 403 403 403
            publicize      reader    403 403 403 403
            publicize      other     404 404 403 403
            publicize      pending   -   403 -   -
            publicize      accepted  -   403 -   -
            publicize      anon      401 401 401 401
            communitize    admin     200 200 200 200
            communitize    owner     200 200 200 200
            communitize    reader    403 403 403 403
            communitize    other     404 404 403 403
            communitize    pending   -   403 -   -
            communitize    accepted  -   403 -   -
            communitize    anon      401 401 401 401
            download-deact admin     200 200 200 200
            download-deact owner     403 403 403 403
            download-deact reader    403 403 403 403
            download-deact other     404 404 403 403
            download-deact pending   -   403 -   -
            download-deact accepted  -   403 -   -
            download-deact rejected  -   403 -   -
            download-deact anon      401 401 401 401
            schema-image   reader    200
            schema-image   other     200
            schema-image   anon      401
            schema-images  reader    200
            schema-images  anon      401
            schema-member  reader    200
            schema-member  anon      401
            schema-members reader    200
            schema-members anon      401
            """;

    static final List<String> VISIBILITIES = List.of("private", "shared", "public", "community");

    /** The state a route needs its image in, and whether it changes the image (then each cell gets its own). */
    enum Needs { NOTHING, QUEUED, ACTIVE, DEACTIVATED }

    record Route(Needs needs, boolean mutates, Request request) {}

    interface Request {
        Reply send(ApiClient caller, String image, String member, String visibility);
    }

    static final Map<String, Route> ROUTES = new HashMap<>();

    static {
        ROUTES.put("show", new Route(Needs.ACTIVE, false, (c, id, m, v) -> c.get("/v2/images/" + id)));
        ROUTES.put("list", new Route(Needs.NOTHING, false, (c, id, m, v) -> c.get("/v2/images")));
        ROUTES.put("create", new Route(Needs.NOTHING, true, (c, id, m, v) -> c.post("/v2/images",
                obj("name", "matrix", "visibility", v, "disk_format", "raw", "container_format", "bare"))));
        ROUTES.put("listed", new Route(Needs.ACTIVE, false, (c, id, m, v) -> listed(c, id)));
        ROUTES.put("create-alpha", new Route(Needs.NOTHING, true, (c, id, m, v) -> c.post("/v2/images",
                obj("name", "matrix", "visibility", v, "owner", PolicyMatrixTest.alpha, "disk_format", "raw", "container_format", "bare"))));
        ROUTES.put("publicize", new Route(Needs.ACTIVE, true, (c, id, m, v) -> c.patch("/v2/images/" + id,
                List.of(obj("op", "replace", "path", "/visibility", "value", "public")))));
        ROUTES.put("communitize", new Route(Needs.ACTIVE, true, (c, id, m, v) -> c.patch("/v2/images/" + id,
                List.of(obj("op", "replace", "path", "/visibility", "value", "community")))));
        ROUTES.put("download-deact", new Route(Needs.DEACTIVATED, false, (c, id, m, v) -> c.get("/v2/images/" + id + "/file")));
        ROUTES.put("update", new Route(Needs.ACTIVE, true, (c, id, m, v) -> c.patch("/v2/images/" + id,
                List.of(obj("op", "replace", "path", "/name", "value", "renamed")))));
        ROUTES.put("delete", new Route(Needs.ACTIVE, true, (c, id, m, v) -> c.delete("/v2/images/" + id)));
        ROUTES.put("upload", new Route(Needs.QUEUED, true, (c, id, m, v) -> c.put("/v2/images/" + id + "/file",
                new byte[] {1, 2, 3}, "Content-Type", "application/octet-stream")));
        ROUTES.put("download", new Route(Needs.ACTIVE, false, (c, id, m, v) -> c.get("/v2/images/" + id + "/file")));
        ROUTES.put("tag-add", new Route(Needs.ACTIVE, true, (c, id, m, v) -> c.put("/v2/images/" + id + "/tags/new", new byte[0])));
        ROUTES.put("tag-delete", new Route(Needs.ACTIVE, true, (c, id, m, v) -> c.delete("/v2/images/" + id + "/tags/t0")));
        ROUTES.put("deactivate", new Route(Needs.ACTIVE, true, (c, id, m, v) -> c.post("/v2/images/" + id + "/actions/deactivate", "")));
        ROUTES.put("reactivate", new Route(Needs.DEACTIVATED, true, (c, id, m, v) -> c.post("/v2/images/" + id + "/actions/reactivate", "")));
        ROUTES.put("members-list", new Route(Needs.ACTIVE, false, (c, id, m, v) -> c.get("/v2/images/" + id + "/members")));
        ROUTES.put("member-add", new Route(Needs.ACTIVE, true, (c, id, m, v) -> c.post("/v2/images/" + id + "/members",
                obj("member", UUID.randomUUID().toString().replace("-", "")))));
        ROUTES.put("member-show", new Route(Needs.ACTIVE, false, (c, id, m, v) -> c.get("/v2/images/" + id + "/members/" + m)));
        ROUTES.put("member-update", new Route(Needs.ACTIVE, true, (c, id, m, v) -> c.put("/v2/images/" + id + "/members/" + m,
                "{\"status\": \"accepted\"}".getBytes(), "Content-Type", "application/json")));
        ROUTES.put("member-delete", new Route(Needs.ACTIVE, true, (c, id, m, v) -> c.delete("/v2/images/" + id + "/members/" + m)));
        for (String s : List.of("image", "images", "member", "members")) {
            ROUTES.put("schema-" + s, new Route(Needs.NOTHING, false, (c, id, m, v) -> c.get("/v2/schemas/" + s)));
        }
    }

    /** 1 when the caller's default image list includes the image, else 0 (fixtures are far fewer than a page of 1000). */
    private static Reply listed(ApiClient caller, String id) {
        Reply page = caller.get("/v2/images?limit=1000");
        assertThat(page.status()).isEqualTo(200);
        boolean found = false;
        for (var image : page.json().get("images")) {
            found |= image.get("id").asText().equals(id);
        }
        return new Reply(found ? 1 : 0, page.raw());
    }

    /** One cell of the table. */
    record Cell(String route, String caller, String visibility, int expected) {
        @Override
        public String toString() {
            return route + " × " + caller + " × " + visibility + " → " + expected;
        }
    }

    /**
     * The cells of a table of lines {@code route caller value…}, one value per column ({@code -}: none), or a single
     * value for column {@code single}.
     */
    static List<Cell> cells(String table, List<String> columns, String single) {
        List<Cell> cells = new ArrayList<>();
        for (String line : table.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList()) {
            String[] f = line.split("\\s+");
            if (f.length == 3) {
                cells.add(new Cell(f[0], f[1], single, Integer.parseInt(f[2])));
                continue;
            }
            for (int i = 0; i < columns.size(); i++) {
                if (!f[2 + i].equals("-")) {
                    cells.add(new Cell(f[0], f[1], columns.get(i), Integer.parseInt(f[2 + i])));
                }
            }
        }
        return cells;
    }

    static Stream<Arguments> matrix() {
        return cells(TABLE, VISIBILITIES, "shared").stream().map(Arguments::of);
    }

    private static TestServer server;
    private static ApiClient admin;
    private static final Map<String, ApiClient> CALLERS = new HashMap<>();
    private static final Map<String, String> MEMBER_PROJECT = new HashMap<>();
    private static final Map<String, String> SHARED_FIXTURES = new HashMap<>();
    private static String alpha;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        admin = new ApiClient(server.baseUrl(), server.adminToken());
        CALLERS.put("admin", admin);
        CALLERS.put("owner", new ApiClient(server.baseUrl(), server.tokenFor("alpha", "m-owner", "member")));
        CALLERS.put("reader", new ApiClient(server.baseUrl(), server.tokenFor("alpha", "m-reader", "reader")));
        CALLERS.put("other", new ApiClient(server.baseUrl(), server.tokenFor("beta", "m-other", "member")));
        for (String status : List.of("pending", "accepted", "rejected")) {
            CALLERS.put(status, new ApiClient(server.baseUrl(), server.tokenFor("p-" + status, "m-" + status, "member")));
            MEMBER_PROJECT.put(status, server.projectId("p-" + status));
        }
        CALLERS.put("anon", new ApiClient(server.baseUrl(), null));
        alpha = server.projectId("alpha");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Reply expect(Reply r, int status) {
        assertThat(r.status()).as("fixture: %s", r.body()).isEqualTo(status);
        return r;
    }

    /** An image of project alpha in {@code visibility} and {@code state}, tagged t0, shared with the three member projects. */
    private static String fixture(String visibility, Needs state) {
        String id = expect(admin.post("/v2/images", obj("name", "matrix", "visibility", visibility, "owner", alpha,
                "disk_format", "raw", "container_format", "bare", "tags", List.of("t0"))), 201).json().get("id").asText();
        if (state != Needs.QUEUED) {
            expect(admin.put("/v2/images/" + id + "/file", new byte[] {7, 7, 7}, "Content-Type", "application/octet-stream"), 204);
        }
        if (visibility.equals("shared")) {
            for (String status : List.of("pending", "accepted", "rejected")) {
                expect(admin.post("/v2/images/" + id + "/members", obj("member", MEMBER_PROJECT.get(status))), 200);
                if (!status.equals("pending")) {
                    expect(CALLERS.get(status).put("/v2/images/" + id + "/members/" + MEMBER_PROJECT.get(status),
                            ("{\"status\": \"" + status + "\"}").getBytes(), "Content-Type", "application/json"), 200);
                }
            }
        }
        if (state == Needs.DEACTIVATED) {
            expect(admin.post("/v2/images/" + id + "/actions/deactivate", ""), 204);
        }
        return id;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void statusCodeIsGlances(Cell cell) {
        Route route = ROUTES.get(cell.route());
        assertThat(route).as("route %s", cell.route()).isNotNull();
        String image = null;
        if (route.needs() != Needs.NOTHING) {
            image = route.mutates() ? fixture(cell.visibility(), route.needs())
                    : SHARED_FIXTURES.computeIfAbsent(cell.visibility() + route.needs(), k -> fixture(cell.visibility(), route.needs()));
        }
        String member = MEMBER_PROJECT.getOrDefault(cell.caller(), MEMBER_PROJECT.get("accepted"));
        Reply reply = route.request().send(CALLERS.get(cell.caller()), image, member, cell.visibility());
        assertThat(reply.status()).as("%s: %s", cell, reply.body()).isEqualTo(cell.expected());
    }
}
