package glint.auth.keystone;

import com.fasterxml.jackson.databind.JsonNode;
import glint.auth.Authenticator;
import glint.auth.RequestContext;
import glint.auth.ServiceCatalogs;
import glint.config.GlintConfig.KeystoneAuthtoken;
import glint.error.ErrorKind;
import glint.error.GlintException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * keystonemiddleware's auth_token for Glint: user tokens are validated by an external Keystone with Glint's service
 * token, and the outcome is cached. A valid token's entry lives until the token expires or {@code token_cache_time}
 * has passed, whichever is first, so a revoked token stops working within {@code token_cache_time}; a refused token
 * is remembered for at most {@link #INVALID_CACHE_TIME} so that a client repeating a bad token does not cost a call
 * to Keystone each time. Keystone unreachable or failing → 503, as keystonemiddleware.
 */
public final class KeystoneAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(KeystoneAuthenticator.class);
    static final int MAX_ENTRIES = 10_000;
    static final Duration INVALID_CACHE_TIME = Duration.ofSeconds(10);
    /** keystonemiddleware's message for its 503 (auth_token/__init__.py, {@code fetch_token}). */
    static final String UNAVAILABLE = "The Keystone service is temporarily unavailable.";

    private final KeystoneValidator validator;
    private final KeystoneAuthtoken config;
    private final Clock clock;
    private final TokenCache<RequestContext> cache;
    private final KeystoneCatalogs catalogs;

    public KeystoneAuthenticator(KeystoneClient keystone, KeystoneAuthtoken config, Clock clock) {
        this.validator = new KeystoneValidator(keystone, new ServiceToken(keystone, clock), config.username());
        this.config = config;
        this.clock = clock;
        this.cache = new TokenCache<>(MAX_ENTRIES, clock);
        this.catalogs = new KeystoneCatalogs(validator, config.tokenCacheTime(), clock);
    }

    /** The requesters' catalogs, from Keystone with the same service token. */
    public ServiceCatalogs catalogs() {
        return catalogs;
    }

    @Override
    public Optional<RequestContext> authenticate(String token) {
        Optional<Optional<RequestContext>> cached = cache.get(token);
        if (cached.isPresent()) {
            return cached.get();
        }
        Instant now = clock.instant();
        Optional<JsonNode> body = validate(token);
        if (body.isEmpty()) {
            cache.put(token, Optional.empty(), now.plus(min(INVALID_CACHE_TIME, config.tokenCacheTime())));
            return Optional.empty();
        }
        Instant expiresAt = KeystoneClient.expiresAt(body.get());
        if (!expiresAt.isAfter(now)) {
            return Optional.empty(); // keystonemiddleware: "0 seconds of validity means it is invalid right now"
        }
        Optional<RequestContext> context = Optional.of(toContext(body.get()));
        Instant until = now.plus(config.tokenCacheTime());
        cache.put(token, context, expiresAt.isBefore(until) ? expiresAt : until);
        return context;
    }

    /**
     * keystonemiddleware: an {@code X-Service-Token} must be a valid token; with {@code service_token_roles_required}
     * it must also carry one of {@code service_token_roles}.
     */
    @Override
    public boolean acceptsServiceToken(String token) {
        Optional<RequestContext> context = authenticate(token);
        if (context.isEmpty()) {
            return false;
        }
        if (!config.serviceTokenRolesRequired()) {
            return true;
        }
        Set<String> common = new HashSet<>(context.get().roles());
        common.retainAll(config.serviceTokenRoles());
        return !common.isEmpty();
    }

    @Override
    public String wwwAuthenticateUri() {
        return config.wwwAuthenticateUri();
    }

    /** The token body, or empty when Keystone does not know the token. */
    private Optional<JsonNode> validate(String token) {
        try {
            return validator.validate(token, false);
        } catch (KeystoneUnavailableException e) {
            LOG.error("Unable to validate token: {}", e.getMessage());
            throw new GlintException(ErrorKind.UNAVAILABLE, UNAVAILABLE, java.util.Map.of(), e);
        }
    }

    /** The request context of a validated Keystone v3 token body, as the built-in identity builds it. */
    static RequestContext toContext(JsonNode token) {
        JsonNode user = token.path("user");
        JsonNode project = token.path("project");
        Set<String> roles = new HashSet<>();
        token.path("roles").forEach(r -> roles.add(r.path("name").asText()));
        return new RequestContext(
                text(user.path("id")), text(user.path("name")), text(user.path("domain").path("id")),
                text(project.path("id")), text(project.path("name")), text(project.path("domain").path("id")),
                roles, token.path("system").path("all").asBoolean(false), null);
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : node.asText();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
