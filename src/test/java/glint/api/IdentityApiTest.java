package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Keystone v3 subset over real HTTP, in the shapes keystoneauth and the OpenStack clients read. */
class IdentityApiTest {
    private static final String TOKENS = "/identity/v3/auth/tokens";
    private static final String KEYSTONE_TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z";
    private static TestServer server;
    private static ApiClient anonymous;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        anonymous = new ApiClient(server.baseUrl(), null);
        server.tokenFor("alpha", "alice", "member");
        server.tokenFor("beta", "bob", "reader");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Map<String, Object> passwordAuth(Map<String, Object> user, Object scope) {
        Map<String, Object> auth = obj("identity", obj("methods", List.of("password"), "password", obj("user", user)));
        if (scope != null) {
            auth.put("scope", scope);
        }
        return obj("auth", auth);
    }

    private static Map<String, Object> user(String name, String password) {
        return obj("name", name, "domain", obj("name", "Default"), "password", password);
    }

    private static Map<String, Object> project(String name) {
        return obj("project", obj("name", name, "domain", obj("name", "Default")));
    }

    private static Reply login(String name, String password, Object scope) {
        return anonymous.post(TOKENS, passwordAuth(user(name, password), scope));
    }

    private static String token(Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.header("X-Subject-Token").orElseThrow();
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }

    private static void assertKeystone401(Reply r) {
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.json()).isEqualTo(new ObjectMapper().valueToTree(Map.of("error", Map.of("code", 401, "title", "Unauthorized",
                "message", "The request you have made requires authentication."))));
        assertThat(r.header("WWW-Authenticate")).contains("Keystone uri=\"" + server.baseUrl() + "/identity/v3\"");
    }

    @Test
    void versionDiscoveryLeadsToV3() {
        Reply root = anonymous.get("/identity");
        assertThat(root.status()).isEqualTo(300);
        assertThat(root.header("Location")).contains(server.baseUrl() + "/identity/v3/");
        JsonNode v = root.json().at("/versions/values/0");
        assertThat(v.get("id").asText()).isEqualTo("v3.14");
        assertThat(v.get("status").asText()).isEqualTo("stable");
        assertThat(v.at("/links/0/href").asText()).isEqualTo(server.baseUrl() + "/identity/v3/");

        Reply v3 = anonymous.get("/identity/v3");
        assertThat(v3.status()).isEqualTo(200);
        assertThat(v3.json().at("/version/id").asText()).isEqualTo("v3.14");
        assertThat(v3.json().at("/version/links/0/rel").asText()).isEqualTo("self");
        assertThat(v3.json().at("/version/links/0/href").asText()).isEqualTo(server.baseUrl() + "/identity/v3/");
        assertThat(v3.json().at("/version/media-types/0/type").asText()).isEqualTo("application/vnd.openstack.identity-v3+json");
    }

    @Test
    void passwordProjectTokenHasKeystonesBody() {
        Reply r = login("alice", "alice-secret", project("alpha"));
        String id = token(r);
        assertThat(id).isNotBlank();
        JsonNode t = r.json().get("token");
        assertThat(t.get("methods")).hasSize(1);
        assertThat(t.get("methods").get(0).asText()).isEqualTo("password");
        assertThat(t.at("/user/name").asText()).isEqualTo("alice");
        assertThat(t.at("/user/id").asText()).matches("[0-9a-f]{32}");
        assertThat(t.at("/user/domain/id").asText()).isEqualTo("default");
        assertThat(t.at("/user/domain/name").asText()).isEqualTo("Default");
        assertThat(t.at("/user").has("password_expires_at")).isTrue();
        assertThat(t.at("/user/password_expires_at").isNull()).isTrue();
        assertThat(t.get("audit_ids")).hasSize(1);
        assertThat(t.get("expires_at").asText()).matches(KEYSTONE_TIME);
        assertThat(t.get("issued_at").asText()).matches(KEYSTONE_TIME);
        assertThat(t.at("/project/name").asText()).isEqualTo("alpha");
        assertThat(t.at("/project/id").asText()).isEqualTo(server.projectId("alpha"));
        assertThat(t.at("/project/domain/id").asText()).isEqualTo("default");
        assertThat(t.at("/project/domain/name").asText()).isEqualTo("Default");
        assertThat(t.get("is_domain").asBoolean()).isFalse();
        assertThat(texts(t.get("roles"), "name")).containsExactlyInAnyOrder("member", "reader");
        assertThat(texts(t.get("roles"), "id")).allMatch(s -> s.matches("[0-9a-f]{32}"));

        JsonNode catalog = t.get("catalog");
        assertThat(texts(catalog, "type")).containsExactlyInAnyOrder("image", "identity");
        for (JsonNode service : catalog) {
            String expected = service.get("type").asText().equals("image") ? server.baseUrl() : server.baseUrl() + "/identity";
            assertThat(service.get("name").asText()).isEqualTo(service.get("type").asText().equals("image") ? "glance" : "keystone");
            assertThat(texts(service.get("endpoints"), "interface")).containsExactlyInAnyOrder("public", "internal", "admin");
            assertThat(texts(service.get("endpoints"), "url")).containsOnly(expected);
            assertThat(texts(service.get("endpoints"), "region")).containsOnly("RegionOne");
            assertThat(texts(service.get("endpoints"), "region_id")).containsOnly("RegionOne");
        }
        // the token opens the Image API
        assertThat(new ApiClient(server.baseUrl(), id).get("/v2/images").status()).isEqualTo(200);
    }

    @Test
    void nocatalogLeavesTheCatalogOut() {
        Reply r = anonymous.post(TOKENS + "?nocatalog", passwordAuth(user("alice", "alice-secret"), project("alpha")));
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().get("token").has("catalog")).isFalse();
        assertThat(r.json().get("token").has("roles")).isTrue();
    }

    @Test
    void userAndProjectByIdOrByDomainId() {
        String userId = server.app().identity().userByName("default", "alice").orElseThrow().id();
        Reply byIds = anonymous.post(TOKENS, passwordAuth(obj("id", userId, "password", "alice-secret"),
                obj("project", obj("id", server.projectId("alpha")))));
        assertThat(byIds.status()).as(byIds.body()).isEqualTo(201);
        assertThat(byIds.json().at("/token/project/name").asText()).isEqualTo("alpha");
        Reply byDomainId = anonymous.post(TOKENS, passwordAuth(obj("name", "alice", "domain", obj("id", "default"), "password",
                "alice-secret"), obj("project", obj("name", "alpha", "domain", obj("id", "default")))));
        assertThat(byDomainId.status()).as(byDomainId.body()).isEqualTo(201);
    }

    @Test
    void unscopedTokensHaveNoProjectRolesOrCatalog() {
        for (Object scope : new Object[] {null, "unscoped", obj("unscoped", obj())}) {
            Reply r = login("admin", TestServer.ADMIN_PASSWORD, scope);
            assertThat(r.status()).as(String.valueOf(scope)).isEqualTo(201);
            JsonNode t = r.json().get("token");
            assertThat(t.has("project")).isFalse();
            assertThat(t.has("roles")).isFalse();
            assertThat(t.has("catalog")).isFalse();
            assertThat(t.at("/user/name").asText()).isEqualTo("admin");
        }
    }

    @Test
    void systemScopeForSystemAdminsOnly() {
        Reply r = login("admin", TestServer.ADMIN_PASSWORD, obj("system", obj("all", true)));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        JsonNode t = r.json().get("token");
        assertThat(t.at("/system/all").asBoolean()).isTrue();
        assertThat(t.has("project")).isFalse();
        assertThat(texts(t.get("roles"), "name")).containsExactlyInAnyOrder("admin", "member", "reader");
        assertThat(t.has("catalog")).isTrue();
        assertKeystone401(login("alice", "alice-secret", obj("system", obj("all", true))));
    }

    @Test
    void badCredentialsAndForeignProjectsAre401() {
        assertKeystone401(login("alice", "wrong", project("alpha")));
        assertKeystone401(login("nobody", "alice-secret", project("alpha")));
        assertKeystone401(login("alice", "alice-secret", project("beta")));
        assertKeystone401(login("alice", "alice-secret", project("no-such-project")));
        assertKeystone401(anonymous.post(TOKENS, passwordAuth(obj("name", "alice", "domain", obj("name", "Nope"),
                "password", "alice-secret"), null)));
        assertKeystone401(anonymous.post(TOKENS, obj("auth", obj("identity", obj("methods", List.of("token"),
                "token", obj("id", "forged"))))));
    }

    @Test
    void malformedRequestsAre400InKeystonesShape() {
        for (Object body : List.of("{not json", obj(), obj("auth", obj()), obj("auth", obj("identity", obj("methods", List.of()))),
                obj("auth", obj("identity", obj("methods", List.of("password")))),
                obj("auth", obj("identity", obj("methods", List.of("password"), "password", obj("user", obj("password", "x"))))),
                obj("auth", obj("identity", obj("methods", List.of("password"), "password",
                        obj("user", obj("name", "alice", "password", "x"))))),
                obj("auth", obj("identity", obj("methods", List.of("token"), "token", obj()))),
                passwordAuth(user("alice", "alice-secret"), obj("project", obj("name", "alpha"))),
                passwordAuth(user("alice", "alice-secret"), obj("project", obj("id", "x"), "system", obj("all", true))))) {
            Reply r = anonymous.post(TOKENS, body);
            assertThat(r.status()).as(body + " → " + r.body()).isEqualTo(400);
            assertThat(r.json().at("/error/code").asInt()).isEqualTo(400);
            assertThat(r.json().at("/error/title").asText()).isEqualTo("Bad Request");
            assertThat(r.json().at("/error/message").asText()).isNotBlank();
        }
    }

    @Test
    void tokenMethodRescopesAndKeepsExpiry() {
        Reply unscoped = login("alice", "alice-secret", null);
        String first = token(unscoped);
        Reply scoped = anonymous.post(TOKENS, obj("auth", obj("identity", obj("methods", List.of("token"), "token", obj("id", first)),
                "scope", project("alpha"))));
        token(scoped);
        JsonNode t = scoped.json().get("token");
        assertThat(t.get("methods")).hasSize(2);
        assertThat(List.of(t.get("methods").get(0).asText(), t.get("methods").get(1).asText()))
                .containsExactlyInAnyOrder("token", "password");
        assertThat(t.get("expires_at").asText()).isEqualTo(unscoped.json().at("/token/expires_at").asText());
        assertThat(t.get("audit_ids")).hasSize(2);
        assertThat(t.get("audit_ids").get(1).asText()).isEqualTo(unscoped.json().at("/token/audit_ids/0").asText());
        assertThat(t.at("/project/name").asText()).isEqualTo("alpha");
    }

    @Test
    void validateAndCheckFollowKeystonesPolicy() {
        String admin = server.adminToken();
        Reply aliceLogin = login("alice", "alice-secret", project("alpha"));
        String alice = token(aliceLogin);
        String bob = server.tokenFor("beta", "bob", "reader");

        Reply byAdmin = new ApiClient(server.baseUrl(), admin).get(TOKENS, "X-Subject-Token", alice);
        assertThat(byAdmin.status()).isEqualTo(200);
        assertThat(byAdmin.header("X-Subject-Token")).contains(alice);
        JsonNode t = byAdmin.json().get("token");
        assertThat(t.at("/user/name").asText()).isEqualTo("alice");
        assertThat(t.get("audit_ids")).isEqualTo(aliceLogin.json().at("/token/audit_ids"));
        assertThat(t.get("expires_at")).isEqualTo(aliceLogin.json().at("/token/expires_at"));
        assertThat(t.has("catalog")).isTrue();
        assertThat(new ApiClient(server.baseUrl(), admin).get(TOKENS + "?nocatalog", "X-Subject-Token", alice).json()
                .get("token").has("catalog")).isFalse();

        Reply own = new ApiClient(server.baseUrl(), alice).get(TOKENS, "X-Subject-Token", alice);
        assertThat(own.status()).isEqualTo(200);
        Reply head = new ApiClient(server.baseUrl(), alice).send("HEAD", TOKENS, null, "X-Subject-Token", alice);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.bytes()).isEmpty();

        Reply foreign = new ApiClient(server.baseUrl(), bob).get(TOKENS, "X-Subject-Token", alice);
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.json().at("/error/code").asInt()).isEqualTo(403);
        assertThat(new ApiClient(server.baseUrl(), bob).delete(TOKENS, "X-Subject-Token", alice).status()).isEqualTo(403);

        Reply missing = new ApiClient(server.baseUrl(), admin).get(TOKENS, "X-Subject-Token", "bogus");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().at("/error/message").asText()).isEqualTo("Could not find token: bogus.");
        assertThat(missing.json().at("/error/title").asText()).isEqualTo("Not Found");
        assertThat(new ApiClient(server.baseUrl(), admin).send("HEAD", TOKENS, null, "X-Subject-Token", "bogus").status())
                .isEqualTo(404);

        assertKeystone401(anonymous.get(TOKENS, "X-Subject-Token", alice));
        assertKeystone401(new ApiClient(server.baseUrl(), "bogus").get(TOKENS, "X-Subject-Token", alice));
    }

    @Test
    void deleteRevokesEverywhereOnThisNodeAtOnce() {
        String alice = token(login("alice", "alice-secret", project("alpha")));
        ApiClient asAlice = new ApiClient(server.baseUrl(), alice);
        assertThat(asAlice.get("/v2/images").status()).isEqualTo(200); // now in this node's cache
        assertThat(asAlice.delete(TOKENS, "X-Subject-Token", alice).status()).isEqualTo(204);

        Reply images = asAlice.get("/v2/images");
        assertThat(images.status()).isEqualTo(401);
        assertThat(images.header("WWW-Authenticate")).contains("Keystone uri=\"" + server.baseUrl() + "/identity\"");
        assertThat(images.json().at("/error/code").asInt()).isEqualTo(401);
        String admin = server.adminToken();
        assertThat(new ApiClient(server.baseUrl(), admin).get(TOKENS, "X-Subject-Token", alice).status()).isEqualTo(404);
        assertThat(new ApiClient(server.baseUrl(), admin).delete(TOKENS, "X-Subject-Token", alice).status()).isEqualTo(404);
        assertKeystone401(anonymous.post(TOKENS, obj("auth", obj("identity", obj("methods", List.of("token"), "token",
                obj("id", alice))))));
    }

    @Test
    void imageApiWithoutATokenIs401WithKeystoneChallenge() {
        Reply r = anonymous.get("/v2/images");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).contains("Keystone uri=\"" + server.baseUrl() + "/identity\"");
        assertThat(r.json().at("/error/message").asText()).isEqualTo("The request you have made requires authentication.");
    }

    @Test
    void authProjectsListsTheCallersProjects() {
        Reply r = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member")).get("/identity/v3/auth/projects");
        assertThat(r.status()).isEqualTo(200);
        assertThat(texts(r.json().get("projects"), "name")).containsExactly("alpha");
        assertThat(r.json().at("/projects/0/domain_id").asText()).isEqualTo("default");
        assertThat(r.json().at("/links/self").asText()).isEqualTo(server.baseUrl() + "/identity/v3/auth/projects");
        String unscoped = token(login("admin", TestServer.ADMIN_PASSWORD, null));
        assertThat(texts(new ApiClient(server.baseUrl(), unscoped).get("/identity/v3/auth/projects").json().get("projects"), "name"))
                .contains("admin");
        assertKeystone401(anonymous.get("/identity/v3/auth/projects"));
    }

    @Test
    void authCatalogNeedsAScopedToken() {
        Reply r = new ApiClient(server.baseUrl(), server.adminToken()).get("/identity/v3/auth/catalog");
        assertThat(r.status()).isEqualTo(200);
        assertThat(texts(r.json().get("catalog"), "type")).containsExactlyInAnyOrder("image", "identity");
        String unscoped = token(login("admin", TestServer.ADMIN_PASSWORD, null));
        assertThat(new ApiClient(server.baseUrl(), unscoped).get("/identity/v3/auth/catalog").status()).isEqualTo(403);
        assertKeystone401(anonymous.get("/identity/v3/auth/catalog"));
    }

    @Test
    void openrcIsWrittenForTheOwnerOnly() throws Exception {
        Path openrc = server.dataDir().resolve("openrc-admin");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(openrc))).isEqualTo("rw-------");
        String text = Files.readString(openrc);
        assertThat(text).contains("export OS_AUTH_URL=" + server.baseUrl() + "/identity/v3\n", "export OS_USERNAME=admin\n",
                "export OS_PASSWORD='" + TestServer.ADMIN_PASSWORD + "'\n", "export OS_PROJECT_NAME=admin\n",
                "export OS_USER_DOMAIN_NAME=Default\n", "export OS_PROJECT_DOMAIN_NAME=Default\n",
                "export OS_IDENTITY_API_VERSION=3\n", "export OS_REGION_NAME=RegionOne\n", "export OS_INTERFACE=public\n");
    }

    @Test
    void withoutAnAdminPasswordARandomOneIsWrittenToOpenrc() throws Exception {
        try (TestServer fresh = TestServer.start(Map.of(), "[identity]", "region = Elsewhere")) {
            String text = Files.readString(fresh.dataDir().resolve("openrc-admin"));
            String password = text.lines().filter(l -> l.startsWith("export OS_PASSWORD='")).findFirst().orElseThrow()
                    .replaceAll("^export OS_PASSWORD='(.*)'$", "$1");
            assertThat(password).hasSizeGreaterThanOrEqualTo(20);
            assertThat(text).contains("export OS_REGION_NAME=Elsewhere\n");
            Reply r = new ApiClient(fresh.baseUrl(), null).post(TOKENS, passwordAuth(user("admin", password), project("admin")));
            assertThat(r.status()).isEqualTo(201);
            assertThat(texts(r.json().at("/token/catalog/0/endpoints"), "region")).containsOnly("Elsewhere");
            assertThat(Optional.ofNullable(fresh.app().identity())).isPresent();
        }
    }
}
