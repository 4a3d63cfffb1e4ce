package glint.auth.keystone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import glint.auth.RequestContext;
import glint.auth.ServiceCatalog;
import glint.auth.ServiceCatalogs;
import glint.config.GlintConfig.KeystoneAuthtoken;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.http.Json;
import glint.testing.DatabaseNeutral;
import glint.testing.MutableClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cache and service-token rules of keystone mode, against a scripted stand-in for Keystone's two calls (the
 * real Keystone is exercised by {@link KeystoneModeTest}); time is a {@link MutableClock}.
 */
@DatabaseNeutral
class KeystoneAuthenticatorTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final AtomicInteger issued = new AtomicInteger();
    private final AtomicInteger validations = new AtomicInteger();
    private final AtomicInteger withCatalog = new AtomicInteger();
    private final Set<String> liveServiceTokens = ConcurrentHashMap.newKeySet();
    /** user token → its body ({@code "token": {...}}) as Keystone would return it */
    private final Map<String, String> userTokens = new ConcurrentHashMap<>();
    private volatile int failWith = 0;
    private volatile boolean refuseAllServiceTokens = false;
    private HttpServer keystone;

    @BeforeEach
    void startKeystone() throws IOException {
        keystone = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        keystone.createContext("/v3/auth/tokens", this::handle);
        keystone.start();
    }

    @AfterEach
    void stopKeystone() {
        keystone.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        if (failWith != 0) {
            reply(ex, failWith, null, "{}");
        } else if (ex.getRequestMethod().equals("POST")) {
            String id = "svc-" + issued.incrementAndGet();
            liveServiceTokens.add(id);
            reply(ex, 201, id, "{\"token\":{\"expires_at\":\"" + clock.instant().plus(Duration.ofHours(1)) + "\"}}");
        } else {
            validations.incrementAndGet();
            if (ex.getRequestURI().getQuery() == null || !ex.getRequestURI().getQuery().contains("nocatalog")) {
                withCatalog.incrementAndGet();
            }
            String service = ex.getRequestHeaders().getFirst("X-Auth-Token");
            String body = userTokens.get(ex.getRequestHeaders().getFirst("X-Subject-Token"));
            if (refuseAllServiceTokens || !liveServiceTokens.contains(service)) {
                reply(ex, 401, null, "{}");
            } else if (body == null) {
                reply(ex, 404, null, "{\"error\":{\"code\":404,\"message\":\"Could not recognize Fernet token\"}}");
            } else {
                reply(ex, 200, null, body);
            }
        }
    }

    private static void reply(HttpExchange ex, int status, String subjectToken, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (subjectToken != null) {
            ex.getResponseHeaders().add("X-Subject-Token", subjectToken);
        }
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private KeystoneAuthenticator authenticator(int cacheSeconds, boolean serviceRolesRequired) {
        KeystoneAuthtoken config = new KeystoneAuthtoken("http://keystone.example:5000",
                "http://127.0.0.1:" + keystone.getAddress().getPort(), "glint", "secret", "service", "Default", "Default",
                Duration.ofSeconds(cacheSeconds), Set.of("service"), serviceRolesRequired, Duration.ofSeconds(5));
        return new KeystoneAuthenticator(new KeystoneClient(config, Json.mapper()), config, clock);
    }

    private void userToken(String token, Duration validFor, String... roles) {
        StringBuilder r = new StringBuilder();
        for (String role : roles) {
            r.append(r.length() == 0 ? "" : ",").append("{\"id\":\"r-").append(role).append("\",\"name\":\"").append(role).append("\"}");
        }
        userTokens.put(token, "{\"token\":{\"expires_at\":\"" + clock.instant().plus(validFor) + "\","
                + "\"user\":{\"id\":\"u1\",\"name\":\"alice\",\"domain\":{\"id\":\"default\",\"name\":\"Default\"}},"
                + "\"project\":{\"id\":\"p1\",\"name\":\"alpha\",\"domain\":{\"id\":\"default\",\"name\":\"Default\"}},"
                + "\"roles\":[" + r + "]}}");
    }

    @Test
    void aValidatedTokenBecomesTheRequestContext() {
        userToken("t1", Duration.ofHours(1), "member", "reader");
        RequestContext ctx = authenticator(300, false).authenticate("t1").orElseThrow();
        assertThat(ctx.userId()).isEqualTo("u1");
        assertThat(ctx.userName()).isEqualTo("alice");
        assertThat(ctx.userDomainId()).isEqualTo("default");
        assertThat(ctx.projectId()).isEqualTo("p1");
        assertThat(ctx.projectName()).isEqualTo("alpha");
        assertThat(ctx.projectDomainId()).isEqualTo("default");
        assertThat(ctx.roles()).containsExactlyInAnyOrder("member", "reader");
        assertThat(ctx.isAdmin()).isFalse();
        assertThat(ctx.systemScope()).isFalse();
    }

    @Test
    void theCatalogIsAskedForOnlyWhenNeededAndKeptAsLongAsTheToken() {
        userTokens.put("t1", "{\"token\":{\"expires_at\":\"" + clock.instant().plus(Duration.ofHours(1)) + "\","
                + "\"user\":{\"id\":\"u1\"},\"project\":{\"id\":\"p1\"},\"roles\":[{\"name\":\"member\"}],"
                + "\"catalog\":[{\"type\":\"image\",\"name\":\"glance\",\"endpoints\":["
                + "{\"interface\":\"public\",\"region_id\":\"RegionTwo\",\"region\":\"RegionTwo\",\"url\":\"http://two.example:9292\"}]}]}}");
        KeystoneAuthenticator auth = authenticator(300, false);
        RequestContext ctx = auth.authenticate("t1").orElseThrow().forRequest("req-1", "t1");
        assertThat(withCatalog.get()).isZero();

        ServiceCatalog catalog = auth.catalogs().of(ctx);
        assertThat(catalog.url("image", "regiontwo", "public")).contains("http://two.example:9292");
        assertThat(catalog.url("image", "RegionTwo", "internal")).isEmpty();
        assertThat(catalog.url("image", "RegionOne", "public")).isEmpty();
        auth.catalogs().of(ctx);
        assertThat(withCatalog.get()).isOne();
        clock.advance(Duration.ofSeconds(301));
        auth.catalogs().of(ctx);
        assertThat(withCatalog.get()).isEqualTo(2);

        userTokens.remove("t1");
        clock.advance(Duration.ofSeconds(301));
        assertThatThrownBy(() -> auth.catalogs().of(ctx)).isInstanceOf(ServiceCatalogs.CatalogUnavailableException.class)
                .hasMessage("Keystone no longer accepts the requester's token");
    }

    @Test
    void aSystemScopedTokenHasNoProject() {
        userTokens.put("sys", "{\"token\":{\"expires_at\":\"" + clock.instant().plus(Duration.ofHours(1)) + "\","
                + "\"user\":{\"id\":\"u0\",\"name\":\"admin\",\"domain\":{\"id\":\"default\"}},"
                + "\"system\":{\"all\":true},\"roles\":[{\"id\":\"r\",\"name\":\"admin\"}]}}");
        RequestContext ctx = authenticator(300, false).authenticate("sys").orElseThrow();
        assertThat(ctx.systemScope()).isTrue();
        assertThat(ctx.projectId()).isNull();
        assertThat(ctx.isAdmin()).isTrue();
    }

    @Test
    void aValidTokenIsCachedForTokenCacheTime() {
        userToken("t1", Duration.ofHours(1), "member");
        KeystoneAuthenticator auth = authenticator(300, false);
        assertThat(auth.authenticate("t1")).isPresent();
        assertThat(auth.authenticate("t1")).isPresent();
        assertThat(validations).hasValue(1);

        userTokens.remove("t1"); // revoked in Keystone
        clock.advance(Duration.ofSeconds(299));
        assertThat(auth.authenticate("t1")).as("still cached").isPresent();
        clock.advance(Duration.ofSeconds(2));
        assertThat(auth.authenticate("t1")).as("validated again after token_cache_time").isEmpty();
        assertThat(validations).hasValue(2);
    }

    @Test
    void aCacheEntryNeverOutlivesItsToken() {
        userToken("short", Duration.ofSeconds(5), "member");
        KeystoneAuthenticator auth = authenticator(300, false);
        assertThat(auth.authenticate("short")).isPresent();
        userTokens.remove("short"); // Keystone no longer knows an expired token
        clock.advance(Duration.ofSeconds(6));
        assertThat(auth.authenticate("short")).isEmpty();
        assertThat(validations).hasValue(2);
    }

    @Test
    void anUnknownTokenIsRememberedBriefly() {
        KeystoneAuthenticator auth = authenticator(300, false);
        assertThat(auth.authenticate("bogus")).isEmpty();
        assertThat(auth.authenticate("bogus")).isEmpty();
        assertThat(validations).hasValue(1);
        userToken("bogus", Duration.ofHours(1), "member"); // (cannot happen with real tokens; shows the entry's life)
        clock.advance(KeystoneAuthenticator.INVALID_CACHE_TIME.plusSeconds(1));
        assertThat(auth.authenticate("bogus")).isPresent();
    }

    @Test
    void noCacheWithTokenCacheTimeOff() {
        userToken("t1", Duration.ofHours(1), "member");
        KeystoneAuthenticator auth = authenticator(0, false);
        auth.authenticate("t1");
        auth.authenticate("t1");
        auth.authenticate("bogus");
        auth.authenticate("bogus");
        assertThat(validations).hasValue(4);
    }

    @Test
    void theServiceTokenIsFetchedOnceAndRenewedBeforeItExpires() {
        userToken("t1", Duration.ofHours(3), "member");
        KeystoneAuthenticator auth = authenticator(0, false);
        auth.authenticate("t1");
        auth.authenticate("t1");
        assertThat(issued).hasValue(1);
        clock.advance(Duration.ofMinutes(57)); // 3 min left: still used
        auth.authenticate("t1");
        assertThat(issued).hasValue(1);
        clock.advance(Duration.ofMinutes(2)); // 1 min left: renewed before use
        auth.authenticate("t1");
        assertThat(issued).hasValue(2);
    }

    @Test
    void aServiceTokenRefusedByKeystoneIsRenewedOnce() {
        userToken("t1", Duration.ofHours(1), "member");
        KeystoneAuthenticator auth = authenticator(0, false);
        assertThat(auth.authenticate("t1")).isPresent();
        liveServiceTokens.clear(); // e.g. Keystone rotated its keys or revoked the token
        assertThat(auth.authenticate("t1")).isPresent();
        assertThat(issued).hasValue(2);

        refuseAllServiceTokens = true;
        assertThatThrownBy(() -> auth.authenticate("t1"))
                .isInstanceOfSatisfying(GlintException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE));
        assertThat(issued).as("one renewal per refusal, no loop").hasValue(3);
    }

    @Test
    void keystoneFailingIsUnavailable() {
        userToken("t1", Duration.ofHours(1), "member");
        KeystoneAuthenticator auth = authenticator(300, false);
        failWith = 500;
        assertThatThrownBy(() -> auth.authenticate("t1"))
                .isInstanceOfSatisfying(GlintException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.UNAVAILABLE);
                    assertThat(e.getMessage()).isEqualTo("The Keystone service is temporarily unavailable.");
                });
        failWith = 0;
        assertThat(auth.authenticate("t1")).as("an outage is not cached").isPresent();
    }

    @Test
    void serviceTokenRolesAreCheckedOnlyWhenRequired() {
        userToken("member-token", Duration.ofHours(1), "member");
        userToken("service-token", Duration.ofHours(1), "service");
        assertThat(authenticator(300, false).acceptsServiceToken("member-token")).isTrue();
        assertThat(authenticator(300, true).acceptsServiceToken("member-token")).isFalse();
        assertThat(authenticator(300, true).acceptsServiceToken("service-token")).isTrue();
        assertThat(authenticator(300, false).acceptsServiceToken("bogus")).isFalse();
    }
}
