package glint.reliability;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.Poll;
import glint.testing.TestServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The built-in identity under abuse, on two nodes of one deployment (one database): Keystone's failed-login lockout
 * ({@code [security_compliance] lockout_failure_attempts}, {@code lockout_duration}; 401 "The account is locked for
 * user: …", identity/backends/sql.py) counted across nodes, and tokens that stop working on every node with the very
 * next request when their user's password changes, the user is disabled or deleted, a role or the project goes.
 */
class LoginAbuseTest {
    private static final String TOKENS = "/identity/v3/auth/tokens";
    private static final String GENERIC = "The request you have made requires authentication.";
    private static final String[] LOCKOUT = {"[security_compliance]", "lockout_failure_attempts = 3", "lockout_duration = 2"};
    private static TestServer a;
    private static TestServer b;
    private static ApiClient adminOnA;

    @BeforeAll
    static void start() {
        a = TestServer.start(LOCKOUT);
        b = a.startPeer(LOCKOUT);
        adminOnA = new ApiClient(a.baseUrl(), a.adminToken());
    }

    @AfterAll
    static void stop() {
        b.close();
        a.close();
    }

    private static Reply login(TestServer node, String user, String password, String project) {
        String body = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"" + user
                + "\",\"domain\":{\"name\":\"Default\"},\"password\":\"" + password + "\"}}},"
                + "\"scope\":{\"project\":{\"name\":\"" + project + "\",\"domain\":{\"name\":\"Default\"}}}}}";
        return new ApiClient(node.baseUrl(), null).post(TOKENS, body);
    }

    private static String userId(String name) {
        return a.app().identity().userByName("default", name).orElseThrow().id();
    }

    @Test
    void failedLoginsOnAnyNodeLockTheUserOutAsKeystoneUntilTheDurationRunsOut() {
        a.tokenFor("alpha", "mallory", "member"); // password mallory-secret
        String id = userId("mallory");
        assertThat(login(a, "mallory", "wrong", "alpha").status()).isEqualTo(401);
        assertThat(login(b, "mallory", "wrong", "alpha").status()).isEqualTo(401);
        Reply third = login(a, "mallory", "wrong", "alpha");
        assertThat(third.status()).isEqualTo(401);
        assertThat(third.body()).contains(GENERIC);

        Reply locked = login(b, "mallory", "mallory-secret", "alpha");
        assertThat(locked.status()).as("the right password, locked").isEqualTo(401);
        assertThat(locked.json().at("/error/message").asText()).isEqualTo("The account is locked for user: " + id + ".");
        assertThat(locked.json().at("/error/code").asInt()).isEqualTo(401);
        assertThat(login(a, "mallory", "mallory-secret", "alpha").status()).isEqualTo(401);

        Poll.until("the 2 s lockout runs out", Duration.ofSeconds(60),
                () -> login(a, "mallory", "mallory-secret", "alpha").status() == 201);
        // a success forgets the failures: two more do not lock
        assertThat(login(a, "mallory", "wrong", "alpha").status()).isEqualTo(401);
        assertThat(login(b, "mallory", "wrong", "alpha").status()).isEqualTo(401);
        assertThat(login(b, "mallory", "mallory-secret", "alpha").status()).isEqualTo(201);
    }

    @Test
    void unknownUsersAreRefusedAsWrongPasswordsAre() {
        Reply unknown = login(a, "nobody-at-all", "whatever", "alpha");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.json().at("/error/message").asText()).isEqualTo(GENERIC);
    }

    @Test
    void anAdminUnlocksAUserByEnablingIt() {
        a.tokenFor("alpha", "trudy", "member");
        String id = userId("trudy");
        for (int i = 0; i < 3; i++) {
            assertThat(login(b, "trudy", "wrong", "alpha").status()).isEqualTo(401);
        }
        assertThat(login(a, "trudy", "trudy-secret", "alpha").body()).contains("The account is locked");
        assertThat(adminOnA.patch("/identity/v3/users/" + id, obj("user", obj("enabled", true)), "Content-Type",
                "application/json").status()).isEqualTo(200);
        assertThat(login(b, "trudy", "trudy-secret", "alpha").status()).isEqualTo(201);
    }

    /** A token of a fresh user, used on node b until b has it cached, then refused there after {@code change} on a. */
    private static void refusedOnTheOtherNodeAtOnceAfter(String user, Runnable change) {
        String token = a.tokenFor("beta", user, "member");
        ApiClient onB = new ApiClient(b.baseUrl(), token);
        assertThat(onB.get("/v2/images").status()).isEqualTo(200);
        assertThat(onB.get("/v2/images").status()).isEqualTo(200); // served from b's cache now
        change.run();
        assertThat(onB.get("/v2/images").status()).as("the very next request on the other node").isEqualTo(401);
        assertThat(new ApiClient(a.baseUrl(), token).get("/v2/images").status()).isEqualTo(401);
    }

    @Test
    void aPasswordChangeEndsTheUsersTokensOnEveryNodeAtOnce() {
        refusedOnTheOtherNodeAtOnceAfter("pat", () -> assertThat(adminOnA.patch("/identity/v3/users/" + userId("pat"),
                obj("user", obj("password", "a-new-one")), "Content-Type", "application/json").status()).isEqualTo(200));
    }

    @Test
    void disablingAUserEndsItsTokensOnEveryNodeAtOnce() {
        refusedOnTheOtherNodeAtOnceAfter("dora", () -> assertThat(adminOnA.patch("/identity/v3/users/" + userId("dora"),
                obj("user", obj("enabled", false)), "Content-Type", "application/json").status()).isEqualTo(200));
    }

    @Test
    void deletingAUserEndsItsTokensOnEveryNodeAtOnce() {
        refusedOnTheOtherNodeAtOnceAfter("dan", () ->
                assertThat(adminOnA.delete("/identity/v3/users/" + userId("dan")).status()).isEqualTo(204));
    }

    @Test
    void removingTheUsersRoleEndsItsTokensOnEveryNodeAtOnce() {
        refusedOnTheOtherNodeAtOnceAfter("rita", () -> {
            String project = a.projectId("beta");
            for (String role : List.of("member")) {
                String roleId = adminOnA.get("/identity/v3/roles?name=" + role).json().at("/roles/0/id").asText();
                assertThat(adminOnA.delete("/identity/v3/projects/" + project + "/users/" + userId("rita") + "/roles/"
                        + roleId).status()).isEqualTo(204);
            }
        });
    }

    @Test
    void revokingATokenEndsItOnEveryNodeAtOnce() {
        String token = a.tokenFor("beta", "ralph", "member");
        ApiClient onB = new ApiClient(b.baseUrl(), token);
        assertThat(onB.get("/v2/images").status()).isEqualTo(200);
        assertThat(new ApiClient(a.baseUrl(), token).delete(TOKENS, "X-Subject-Token", token).status()).isEqualTo(204);
        assertThat(onB.get("/v2/images").status()).isEqualTo(401);
    }
}
