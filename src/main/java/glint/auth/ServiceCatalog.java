package glint.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A user's service catalog, as Keystone puts it in a token and keystonemiddleware hands it to Glance
 * ({@code X-Service-Catalog}, the request context's {@code service_catalog}): every endpoint of every service.
 */
public record ServiceCatalog(List<Endpoint> endpoints) {
    /** One endpoint; {@code region} is null for an endpoint in no region. */
    public record Endpoint(String serviceType, String iface, String region, String url) {}

    public static final ServiceCatalog EMPTY = new ServiceCatalog(List.of());

    public ServiceCatalog {
        endpoints = List.copyOf(endpoints);
    }

    /**
     * Glance's {@code get_glance_endpoint} (glance/async_/utils.py): the URL of the first {@code serviceType} endpoint
     * whose region is {@code region}, compared without case, and whose interface is {@code iface}.
     */
    public Optional<String> url(String serviceType, String region, String iface) {
        return endpoints.stream().filter(e -> e.serviceType().equals(serviceType) && e.iface().equals(iface))
                .filter(e -> e.region() != null && e.region().toLowerCase(Locale.ROOT).equals(region.toLowerCase(Locale.ROOT)))
                .map(Endpoint::url).findFirst();
    }

    /** A Keystone v3 {@code catalog} array ({@code [{type, endpoints: [{interface, region_id, region, url}]}]}). */
    public static ServiceCatalog fromKeystone(JsonNode catalog) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (JsonNode service : catalog) {
            for (JsonNode e : service.path("endpoints")) {
                JsonNode region = e.hasNonNull("region_id") ? e.get("region_id") : e.path("region");
                endpoints.add(new Endpoint(service.path("type").asText(), e.path("interface").asText(),
                        region.isTextual() ? region.asText() : null, e.path("url").asText()));
            }
        }
        return new ServiceCatalog(endpoints);
    }
}
