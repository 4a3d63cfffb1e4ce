package glint.auth.keystone;

import com.fasterxml.jackson.databind.JsonNode;
import glint.auth.RequestContext;
import glint.auth.ServiceCatalog;
import glint.auth.ServiceCatalogs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Requesters' catalogs in keystone mode. keystonemiddleware hands Glance the catalog Keystone returned with the
 * token's validation; Glint validates without it ({@code nocatalog}, the catalog is large and seldom needed), so it
 * validates the token once more, with its catalog, when one is needed (glance-download), and keeps the catalog as
 * long as it would keep the token ({@code token_cache_time}, never past the token's expiry).
 */
final class KeystoneCatalogs implements ServiceCatalogs {
    private final KeystoneValidator validator;
    private final Duration cacheTime;
    private final Clock clock;
    private final TokenCache<ServiceCatalog> cache;

    KeystoneCatalogs(KeystoneValidator validator, Duration cacheTime, Clock clock) {
        this.validator = validator;
        this.cacheTime = cacheTime;
        this.clock = clock;
        this.cache = new TokenCache<>(KeystoneAuthenticator.MAX_ENTRIES, clock);
    }

    @Override
    public ServiceCatalog of(RequestContext requester) {
        String token = requester.authToken();
        if (token == null) {
            throw new CatalogUnavailableException("the request has no token to ask Keystone for its catalog with");
        }
        Optional<ServiceCatalog> cached = cache.get(token).flatMap(c -> c);
        if (cached.isPresent()) {
            return cached.get();
        }
        Optional<JsonNode> body;
        Instant expiresAt;
        try {
            body = validator.validate(token, true);
            if (body.isEmpty()) {
                throw new CatalogUnavailableException("Keystone no longer accepts the requester's token");
            }
            expiresAt = KeystoneClient.expiresAt(body.get());
        } catch (KeystoneUnavailableException e) {
            throw new CatalogUnavailableException("the service catalog could not be had from Keystone: " + e.getMessage());
        }
        ServiceCatalog catalog = ServiceCatalog.fromKeystone(body.get().path("catalog"));
        Instant until = clock.instant().plus(cacheTime);
        cache.put(token, Optional.of(catalog), expiresAt.isBefore(until) ? expiresAt : until);
        return catalog;
    }
}
