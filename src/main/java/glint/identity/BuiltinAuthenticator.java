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
 * Validates tokens of the built-in identity for the Image API, with a small cache of validated tokens so that a hot
 * path such as {@code GET /v2/images/{id}} costs one query (the identity's revision), not several.
 *
 * <p>An entry is used only while the identity's revision ({@link IdentityStore#revision()}, in the shared database) is
 * the one it was validated at: every write that can end a token (a password changed, a user disabled or deleted, a
 * role taken away, a project disabled, a token revoked) raises the revision in its own transaction, through whichever
 * node it came, so no node serves a token one request longer. keystonemiddleware, by contrast, keeps a validated token
 * for {@code token_cache_time} (300 s). An entry also lives at most {@code cacheTtl} and never past the token's expiry.
 */
public final class BuiltinAuthenticator implements Authenticator {
    static final int MAX_ENTRIES = 10_000;

    private record Entry(RequestContext context, Instant until, long revision) {}

    private final TokenService tokens;
    private final IdentityStore store;
    private final Clock clock;
    private final Duration cacheTtl;
    private final Supplier<String> identityUri;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    public BuiltinAuthenticator(TokenService tokens, IdentityStore store, Clock clock, Duration cacheTtl,
                                Supplier<String> identityUri) {
        this.tokens = tokens;
        this.store = store;
        this.clock = clock;
        this.cacheTtl = cacheTtl;
        this.identityUri = identityUri;
    }

    @Override
    public Optional<RequestContext> authenticate(String token) {
        Instant now = clock.instant();
        long revision = store.revision(); // before validating: a write racing the validation makes the entry stale
        Entry cached = cache.get(token);
        if (cached != null) {
            if (cached.until().isAfter(now) && cached.revision() == revision) {
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
            cache.values().removeIf(e -> !e.until().isAfter(now) || e.revision() != revision);
            if (cache.size() >= MAX_ENTRIES) {
                cache.clear(); // more live tokens than the bound: start over rather than track recency
            }
        }
        cache.put(token, new Entry(context, until, revision));
        return Optional.of(context);
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
