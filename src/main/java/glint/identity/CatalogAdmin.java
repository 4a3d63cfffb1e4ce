package glint.identity;

import glint.error.GlintException;
import glint.identity.CatalogRecords.Endpoint;
import glint.identity.CatalogRecords.Region;
import glint.identity.CatalogRecords.Service;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Keystone's catalog administration for the built-in identity: regions, services and endpoints (keystone/catalog/
 * core.py, its SQL driver, and keystone/api/endpoints.py for the deprecated {@code region} of an endpoint). As in
 * {@link IdentityAdmin}, authorization is the API's business; this class checks existence, uniqueness and the
 * region hierarchy, with Keystone's messages.
 */
public final class CatalogAdmin {
    /** A partial update of a region: absent fields stay; a present empty parent makes it a top-level region. */
    public record RegionChange(Optional<String> description, Optional<Optional<String>> parentRegionId) {}

    /** A partial update of a service. */
    public record ServiceChange(Optional<String> type, Optional<String> name, Optional<Optional<String>> description,
                                Optional<Boolean> enabled) {}

    /**
     * An endpoint as a request gives it (every field optional for an update): {@code region} is the deprecated name
     * of {@code region_id}, used when {@code region_id} is absent or null, and its region is created when missing.
     */
    public record EndpointChange(Optional<String> serviceId, Optional<String> iface, Optional<Optional<String>> regionId,
                                 Optional<String> region, Optional<String> url, Optional<Boolean> enabled) {}

    private final CatalogStore store;

    public CatalogAdmin(CatalogStore store) {
        this.store = store;
    }

    public List<Region> regions(Optional<String> parentRegionId) {
        return store.regions().stream()
                .filter(r -> parentRegionId.isEmpty() || parentRegionId.equals(r.parentRegionId())).toList();
    }

    public Region region(String id) {
        return store.region(id).orElseThrow(() -> notFound("region", id));
    }

    /** {@code id} empty: a new random id, as Keystone's {@code _assign_unique_id}. */
    public Region createRegion(Optional<String> id, Optional<String> description, Optional<String> parentRegionId) {
        Region region = new Region(id.filter(s -> !s.isEmpty()).orElseGet(IdentityService::newId), description.orElse(""),
                parentRegionId);
        parentRegionId.ifPresent(this::region);
        if (!store.createRegion(region)) {
            throw GlintException.conflict("Conflict occurred attempting to store region - Duplicate ID, " + region.id() + ".");
        }
        return region;
    }

    public Region updateRegion(String id, RegionChange change) {
        Region old = region(id);
        Optional<String> parent = change.parentRegionId().orElse(old.parentRegionId());
        if (parent.isPresent()) {
            region(parent.get());
            for (Optional<String> up = parent; up.isPresent(); up = store.region(up.get()).flatMap(Region::parentRegionId)) {
                if (up.get().equals(id)) {
                    throw GlintException.badRequest("The specified parent region " + parent.get()
                            + " would create a circular region hierarchy.");
                }
            }
        }
        Region updated = new Region(id, change.description().orElse(old.description()), parent);
        store.updateRegion(updated);
        return updated;
    }

    /** Deletes the region and its child regions, unless one of them has endpoints (403, as Keystone). */
    public void deleteRegion(String id) {
        region(id);
        List<Region> all = store.regions();
        List<String> doomed = new ArrayList<>(List.of(id));
        Set<String> seen = new HashSet<>(doomed);
        for (int i = 0; i < doomed.size(); i++) {
            String parent = doomed.get(i);
            all.stream().filter(r -> r.parentRegionId().filter(parent::equals).isPresent()).map(Region::id)
                    .filter(seen::add).forEach(doomed::add);
        }
        if (!store.deleteRegions(doomed)) {
            throw GlintException.forbidden("Unable to delete region " + id
                    + " because it or its child regions have associated endpoints.");
        }
    }

    public List<Service> services(Optional<String> type, Optional<String> name) {
        return store.services().stream().filter(s -> type.isEmpty() || type.get().equals(s.type()))
                .filter(s -> name.isEmpty() || name.get().equals(s.name())).toList();
    }

    public Service service(String id) {
        return store.service(id).orElseThrow(() -> notFound("service", id));
    }

    public Service createService(String type, Optional<String> name, Optional<String> description, Optional<Boolean> enabled) {
        Service service = new Service(IdentityService.newId(), type, name.orElse(""), description, enabled.orElse(true));
        store.createService(service);
        return service;
    }

    public Service updateService(String id, ServiceChange change) {
        Service old = service(id);
        Service updated = new Service(id, change.type().orElse(old.type()), change.name().orElse(old.name()),
                change.description().orElse(old.description()), change.enabled().orElse(old.enabled()));
        store.updateService(updated);
        return updated;
    }

    /** Deletes the service with its endpoints. */
    public void deleteService(String id) {
        service(id);
        store.deleteService(id);
    }

    public List<Endpoint> endpoints(Optional<String> iface, Optional<String> serviceId, Optional<String> regionId) {
        return store.endpoints().stream().filter(e -> iface.isEmpty() || iface.get().equals(e.iface()))
                .filter(e -> serviceId.isEmpty() || serviceId.get().equals(e.serviceId()))
                .filter(e -> regionId.isEmpty() || regionId.equals(e.regionId())).toList();
    }

    public Endpoint endpoint(String id) {
        return store.endpoint(id).orElseThrow(() -> notFound("endpoint", id));
    }

    /** @param endpoint with {@code serviceId}, {@code iface} and {@code url} present */
    public Endpoint createEndpoint(EndpointChange endpoint) {
        String url = endpoint.url().orElseThrow();
        checkUrl(url);
        Optional<String> region = region(endpoint);
        Endpoint created = new Endpoint(IdentityService.newId(), endpoint.serviceId().orElseThrow(), endpoint.iface().orElseThrow(),
                region, url, endpoint.enabled().orElse(true));
        checkParties(created);
        store.createEndpoint(created);
        return created;
    }

    public Endpoint updateEndpoint(String id, EndpointChange change) {
        Endpoint old = endpoint(id);
        change.url().ifPresent(CatalogAdmin::checkUrl);
        boolean regionGiven = change.regionId().flatMap(r -> r).isPresent() || change.region().isPresent();
        Optional<String> region = regionGiven ? region(change) : change.regionId().isPresent() ? Optional.empty() : old.regionId();
        Endpoint updated = new Endpoint(id, change.serviceId().orElse(old.serviceId()), change.iface().orElse(old.iface()),
                region, change.url().orElse(old.url()), change.enabled().orElse(old.enabled()));
        checkParties(updated);
        store.updateEndpoint(updated);
        return updated;
    }

    public void deleteEndpoint(String id) {
        endpoint(id);
        store.deleteEndpoint(id);
    }

    /** keystone/api/endpoints.py {@code _validate_endpoint_region}: the deprecated {@code region} creates its region. */
    private Optional<String> region(EndpointChange change) {
        Optional<String> regionId = change.regionId().flatMap(r -> r);
        if (regionId.isEmpty() && change.region().isPresent()) {
            String legacy = change.region().get();
            if (store.region(legacy).isEmpty()) {
                store.createRegion(new Region(legacy, "", Optional.empty())); // a concurrent creation is as good
            }
            return Optional.of(legacy);
        }
        return regionId;
    }

    /** Keystone's {@code _assert_region_exists} and {@code _assert_service_exists}: 400, not 404. */
    private void checkParties(Endpoint e) {
        if (e.regionId().isPresent() && store.region(e.regionId().get()).isEmpty()) {
            throw validation("endpoint region_id", "region table");
        }
        if (store.service(e.serviceId()).isEmpty()) {
            throw validation("endpoint service_id", "service table");
        }
    }

    private static void checkUrl(String url) {
        if (!Catalog.substitutionsAllowed(url)) {
            throw GlintException.badRequest("Cannot create an endpoint with an invalid URL: " + url + ".");
        }
    }

    private static GlintException notFound(String kind, String id) {
        return GlintException.notFound("Could not find " + kind + ": " + id + ".");
    }

    private static GlintException validation(String attribute, String target) {
        return GlintException.badRequest("Expecting to find " + attribute + " in " + target + ". The server could not "
                + "comply with the request since it is either malformed or otherwise incorrect. The client is assumed to "
                + "be in error.");
    }
}
