package glint;

import com.fasterxml.jackson.databind.ObjectMapper;
import glint.api.CatalogAdminApi;
import glint.api.IdentityAdminApi;
import glint.api.IdentityApi;
import glint.auth.ServiceCatalogs;
import glint.auth.keystone.KeystoneAuthenticator;
import glint.auth.keystone.KeystoneClient;
import glint.config.GlintConfig;
import glint.db.Database;
import glint.db.IdentityRepository;
import glint.db.JdbcCatalogRepository;
import glint.http.Router;
import glint.identity.BuiltinAuthenticator;
import glint.identity.BuiltinCatalogs;
import glint.identity.Catalog;
import glint.identity.CatalogAdmin;
import glint.identity.CatalogBootstrap;
import glint.identity.IdentityAdmin;
import glint.identity.IdentityBootstrap;
import glint.identity.IdentityRules;
import glint.identity.IdentityService;
import glint.identity.BuiltinLimits;
import glint.identity.BuiltinLimits.EndpointChoice;
import glint.identity.LimitsAdmin;
import glint.api.LimitsApi;
import glint.auth.keystone.KeystoneLimits;
import glint.db.JdbcLimitRepository;
import glint.quota.LimitReader;
import glint.identity.PasswordHasher;
import glint.identity.TokenService;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * App's identity side: the router with its authenticator and the requesters' catalogs, either of the built-in
 * Keystone subset (its bootstrap, its catalog seeded, its {@code /identity} routes) or of an external Keystone
 * ({@code [identity] mode = keystone}: no {@code /identity} routes, no admin bootstrap, no openrc).
 */
final class IdentityWiring {
    private final Router router;
    private final IdentityService identity;
    private final Optional<String> adminPassword;
    private final ServiceCatalogs catalogs;
    private final String[] baseUrl;
    private final LimitReader limits;

    private IdentityWiring(Router router, IdentityService identity, Optional<String> adminPassword, ServiceCatalogs catalogs,
                           String[] baseUrl, LimitReader limits) {
        this.limits = limits;
        this.router = router;
        this.identity = identity;
        this.adminPassword = adminPassword;
        this.catalogs = catalogs;
        this.baseUrl = baseUrl;
    }

    static IdentityWiring start(GlintConfig config, Database database, ObjectMapper json) {
        String[] baseUrl = {config.server().baseUrl()};
        if (config.identity().keystoneMode()) {
            var keystone = config.identity().keystone().get();
            KeystoneAuthenticator authenticator = new KeystoneAuthenticator(new KeystoneClient(keystone, json), keystone,
                    Clock.systemUTC());
            LimitReader limits = new KeystoneLimits(new KeystoneClient(config.quotas().limitCredentials().orElse(keystone), json,
                    config.quotas().limitSystemScope()),
                    endpointChoice(config), Clock.systemUTC());
            return new IdentityWiring(new Router(json, authenticator), null, Optional.empty(), authenticator.catalogs(), baseUrl,
                    limits);
        }
        IdentityRepository identityStore = new IdentityRepository(database);
        PasswordHasher hasher = new PasswordHasher(config.identity().passwordHashRounds());
        IdentityService identity = new IdentityService(identityStore, hasher, new IdentityService.Lockout(
                config.identity().lockoutFailureAttempts(), config.identity().lockoutDuration()), Clock.systemUTC());
        Optional<String> adminPassword = new IdentityBootstrap(identity).run(config.identity().adminPassword());
        TokenService tokens = new TokenService(identity, identityStore, config.identity().tokenTtl(), Clock.systemUTC());
        BuiltinAuthenticator authenticator = new BuiltinAuthenticator(tokens, identityStore, Clock.systemUTC(), Duration.ofSeconds(10),
                () -> baseUrl[0] + IdentityApi.PREFIX);
        Router router = new Router(json, authenticator);
        JdbcCatalogRepository catalogStore = new JdbcCatalogRepository(database);
        new CatalogBootstrap(catalogStore, identityStore).run(config.identity().region(), IdentityApi.PREFIX);
        Catalog catalog = new Catalog(catalogStore);
        Optional<String> publicEndpoint = config.server().publicEndpoint();
        IdentityRules rules = new IdentityRules(tokens);
        new IdentityApi(identity, tokens, rules, publicEndpoint, catalog).register(router);
        new IdentityAdminApi(new IdentityAdmin(identityStore, hasher, Clock.systemUTC()), rules, publicEndpoint)
                .register(router);
        CatalogAdmin catalogAdmin = new CatalogAdmin(catalogStore);
        new CatalogAdminApi(catalogAdmin, rules, publicEndpoint).register(router);
        LimitsAdmin limitsAdmin = new LimitsAdmin(new JdbcLimitRepository(database), catalogStore, identityStore);
        new LimitsApi(limitsAdmin, rules, publicEndpoint).register(router);
        return new IdentityWiring(router, identity, adminPassword, new BuiltinCatalogs(catalog, () -> baseUrl[0]), baseUrl,
                new BuiltinLimits(limitsAdmin, catalogAdmin, endpointChoice(config)));
    }

    /**
     * {@code [oslo_limit]}'s endpoint options; with none of them, the {@code image} service's endpoint in
     * {@code [identity] region} (the built-in identity seeds it so).
     */
    private static EndpointChoice endpointChoice(GlintConfig config) {
        var q = config.quotas();
        boolean none = q.endpointId().isEmpty() && q.endpointServiceType().isEmpty() && q.endpointServiceName().isEmpty();
        return new EndpointChoice(q.endpointId(), q.endpointServiceType(), q.endpointServiceName(),
                q.endpointRegionName().or(() -> none ? Optional.of(config.identity().region()) : Optional.empty()),
                q.endpointInterface());
    }

    /** Where per-project limits are read: the built-in identity's, or Keystone's in keystone mode. */
    LimitReader limits() {
        return limits;
    }

    Router router() {
        return router;
    }

    /** The built-in identity; null in keystone mode. */
    IdentityService identity() {
        return identity;
    }

    /** The bootstrap admin's password, when this node knows it (it made it up, or it was given). */
    Optional<String> adminPassword() {
        return adminPassword;
    }

    /** The requesters' service catalogs (glance-download looks up the remote image service there). */
    ServiceCatalogs catalogs() {
        return catalogs;
    }

    /** The server listens at {@code url} ({@code public_endpoint}, else its address): the identity URI and catalogs follow. */
    void listening(String url) {
        baseUrl[0] = url;
    }
}
