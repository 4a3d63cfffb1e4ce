package glint.identity;

import glint.auth.Authenticator;
import glint.auth.RequestContext;
import glint.identity.IdentityRecords.Role;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Validates tokens of the built-in identity for the Image API, with a small expiring cache of validated tokens so
 * that a hot path such as {@code GET /v2/images/{id}} costs a map lookup, not several queries.
 *
 * <p>keystonemiddleware caches validated tokens for 300 s; here an entry lives at most {@code cacheTtl} (and never past
 * the token's expiry). A revocation through this node evicts at once; one through another node of the deployment is
 * seen here within {@code cacheTtl}, the same trade-off keystonemiddleware makes.
 */
public final class BuiltinAuthenticator implements Authenticator {
    static final int MAX_ENTRIES = 10_000;

    private record Entry(RequestContext context, Instant until) {}

    private final TokenService tokens;
    private final Clock clock;
    private final Duration cacheTtl;
    private final Supplier<String> identityUri;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    public BuiltinAuthenticator(TokenService tokens, Clock clock, Duration cacheTtl, Supplier<String> identityUri) {
        this.tokens = tokens;
        this.clock = clock;
        this.cacheTtl = cacheTtl;
        this.identityUri = identityUri;
    }

    @Override
    public Optional<RequestContext> authenticate(String token) {
        Instant now = clock.instant();
        Entry cached = cache.get(token);
        if (cached != null) {
            if (cached.until().isAfter(now)) {
                return Optional.of(cached.context());
            }
            cache.remove(token, cached);
        }
        Optional<ValidToken> valid = tokens.validate(token);
        if (valid.isEmpty()) {
            return Optional.empty();
        }
        RequestContext context = toContext(valid.get());
        Instant until = now.plus(cacheTtl);
        if (valid.get().token().expiresAt().isBefore(until)) {
            until = valid.get().token().expiresAt();
        }
        if (cache.size() >= MAX_ENTRIES) {
            cache.values().removeIf(e -> !e.until().isAfter(now));
            if (cache.size() >= MAX_ENTRIES) {
                cache.clear(); // more live tokens than the bound: start over rather than track recency
            }
        }
        cache.put(token, new Entry(context, until));
        return Optional.of(context);
    }

    /** Drops a token from this node's cache (after it was revoked through this node). */
    public void evict(String token) {
        cache.remove(token);
    }

    /** Drops every cached token of a user (deleted, disabled, new password, a role taken away) from this node's cache. */
    public void evictUser(String userId) {
        cache.values().removeIf(e -> userId.equals(e.context().userId()));
    }

    /** Drops every cached token scoped to a project (deleted or disabled) from this node's cache. */
    public void evictProject(String projectId) {
        cache.values().removeIf(e -> projectId.equals(e.context().projectId()));
    }

    /** Drops the whole cache (a role was deleted). */
    public void evictAll() {
        cache.clear();
    }

    @Override
    public String wwwAuthenticateUri() {
        return identityUri.get();
    }

    static RequestContext toContext(ValidToken v) {
        Set<String> roles = v.roles().stream().map(Role::name).collect(Collectors.toSet());
        return new RequestContext(v.user().id(), v.user().name(), v.user().domainId(),
                v.project().map(p -> p.id()).orElse(null), v.project().map(p -> p.name()).orElse(null),
                v.project().map(p -> p.domainId()).orElse(null), roles, v.token().system(), null);
    }
}
