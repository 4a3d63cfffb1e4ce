package glint.identity;

import glint.identity.CatalogRecords.Endpoint;
import glint.identity.CatalogRecords.Region;
import glint.identity.CatalogRecords.Service;
import java.util.Optional;

/**
 * The catalog's first content, as devstack registers Glance and Keystone: one region, the {@code image} service
 * ({@code glance}) at this server's root and the {@code identity} service ({@code keystone}) at its {@code /identity},
 * each with a public, an internal and an admin endpoint whose URL is {@code $(public_endpoint)s} (so that it follows
 * {@code public_endpoint}, or the URL each client used, as the catalog did before it was kept in the database).
 * Ids are stable, the same as before. Done once per deployment: a marker in the shared settings says it is done, so
 * that what an admin deletes later stays deleted; nodes seeding at once insert the same rows, duplicates ignored.
 */
public final class CatalogBootstrap {
    static final String SEEDED = "catalog_seeded";

    private final CatalogStore catalog;
    private final IdentityStore settings;

    public CatalogBootstrap(CatalogStore catalog, IdentityStore settings) {
        this.catalog = catalog;
        this.settings = settings;
    }

    /** Seeds the catalog unless it was seeded before; {@code region} is {@code [identity] region}. */
    public void run(String region, String identityPath) {
        if (settings.setting(SEEDED).isPresent()) {
            return;
        }
        catalog.createRegion(new Region(region, "", Optional.empty()));
        seed("image", "glance", "$(public_endpoint)s", region);
        seed("identity", "keystone", "$(public_endpoint)s" + identityPath, region);
        settings.settingIfAbsent(SEEDED, "true");
    }

    private void seed(String type, String name, String url, String region) {
        String serviceId = Catalog.stableId(type);
        catalog.createService(new Service(serviceId, type, name, Optional.empty(), true));
        for (String iface : Catalog.INTERFACES) {
            catalog.createEndpoint(new Endpoint(Catalog.stableId(type + "/" + iface + "/" + region), serviceId, iface,
                    Optional.of(region), url, true));
        }
    }
}
