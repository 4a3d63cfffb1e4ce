package glint.identity;

import glint.auth.Authenticator;
import glint.auth.RequestContext;
import glint.identity.IdentityRecords.Role;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Validates tokens of the built-in identity for the Image API, with a small expiring cache of validated tokens
 * (keystonemiddleware caches for 300 s; here at most {@code cacheTtl}, and a revocation on this node evicts at once).
 */
public final class BuiltinAuthenticator implements Authenticator {
    private static final int MAX_ENTRIES = 10_000;

    private record Entry(RequestContext context, Instant until) {}

    private final IdentityService identity;
    private final Clock clock;
    private final Duration cacheTtl;
    private final Supplier<String> identityUri;
    private final Map<String, Entry> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    public BuiltinAuthenticator(IdentityService identity, Clock clock, Duration cacheTtl, Supplier<String> identityUri) {
        this.identity = identity;
        this.clock = clock;
        this.cacheTtl = cacheTtl;
        this.identityUri = identityUri;
    }

    @Override
    public Optional<RequestContext> authenticate(String token) {
        Instant now = clock.instant();
        synchronized (cache) {
            Entry e = cache.get(token);
            if (e != null && e.until().isAfter(now)) {
                return Optional.of(e.context());
            }
        }
        Optional<ValidToken> valid = identity.validate(token);
        valid.ifPresent(v -> {
            Instant until = now.plus(cacheTtl);
            if (v.token().expiresAt().isBefore(until)) {
                until = v.token().expiresAt();
            }
            synchronized (cache) {
                cache.put(token, new Entry(toContext(v), until));
            }
        });
        return valid.map(BuiltinAuthenticator::toContext);
    }

    /** Drops a token from this node's cache (after revocation). */
    public void evict(String token) {
        synchronized (cache) {
            cache.remove(token);
        }
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
