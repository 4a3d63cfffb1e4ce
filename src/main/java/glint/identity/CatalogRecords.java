package glint.identity;

import java.util.Optional;

/** The service catalog's values, as Keystone keeps them (keystone/catalog/backends/sql.py). */
public final class CatalogRecords {
    private CatalogRecords() {}

    /** A region; {@code description} is never null (Keystone stores "" for none). */
    public record Region(String id, String description, Optional<String> parentRegionId) {}

    /** A service; {@code name} is "" when none was given, as Keystone's {@code create_service}. */
    public record Service(String id, String type, String name, Optional<String> description, boolean enabled) {}

    /**
     * An endpoint of a service: {@code iface} is {@code public}, {@code internal} or {@code admin}; {@code url} may hold
     * Keystone's substitutions ({@code $(public_endpoint)s}, {@code $(project_id)s}, …), filled in by {@link Catalog}.
     */
    public record Endpoint(String id, String serviceId, String iface, Optional<String> regionId, String url, boolean enabled) {
        public Endpoint withUrl(String other) {
            return new Endpoint(id, serviceId, iface, regionId, other, enabled);
        }
    }
}
