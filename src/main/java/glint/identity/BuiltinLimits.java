package glint.identity;

import glint.error.GlintException;
import glint.error.ErrorKind;
import glint.identity.CatalogRecords.Endpoint;
import glint.identity.CatalogRecords.Service;
import glint.identity.LimitRecords.ProjectLimitView;
import glint.identity.LimitRecords.RegisteredLimit;
import glint.quota.LimitReader;
import glint.quota.QuotaResource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The limits of the built-in identity, read as oslo.limit reads Keystone's (oslo_limit/limit.py {@code _EnforcerUtils}):
 * those of the service and region of this image service's endpoint, found by {@code [oslo_limit] endpoint_id}, else
 * by {@code endpoint_service_type}/{@code endpoint_service_name}, {@code endpoint_region_name} and
 * {@code endpoint_interface}. Without any of them, the endpoint is the catalog's {@code image} service's in
 * {@code [identity] region} (what the first start seeds). Read from the database at each check, so a limit changed
 * through {@code /v3/limits} applies at once, on every node.
 */
public final class BuiltinLimits implements LimitReader {
    /** Which endpoint's limits apply (oslo.limit's options). */
    public record EndpointChoice(Optional<String> endpointId, Optional<String> serviceType, Optional<String> serviceName,
                                 Optional<String> regionName, String iface) {}

    private final LimitsAdmin limits;
    private final CatalogAdmin catalog;
    private final EndpointChoice choice;

    public BuiltinLimits(LimitsAdmin limits, CatalogAdmin catalog, EndpointChoice choice) {
        this.limits = limits;
        this.catalog = catalog;
        this.choice = choice;
    }

    @Override
    public Map<QuotaResource, Long> limits(String projectId) {
        Endpoint endpoint = endpoint();
        Map<String, Long> registered = new HashMap<>();
        for (RegisteredLimit r : limits.registeredLimits(Optional.of(endpoint.serviceId()), endpoint.regionId(), Optional.empty())) {
            registered.put(r.resourceName(), r.defaultLimit());
        }
        Map<String, Long> project = new HashMap<>();
        for (ProjectLimitView l : limits.limits(Optional.of(endpoint.serviceId()), endpoint.regionId(), Optional.empty(),
                Optional.of(projectId))) {
            project.put(l.registered().resourceName(), l.limit().resourceLimit());
        }
        return LimitReader.flat(project, registered);
    }

    private Endpoint endpoint() {
        if (choice.endpointId().isPresent()) {
            return found(() -> catalog.endpoint(choice.endpointId().get()), "Can't find endpoint " + choice.endpointId().get());
        }
        Optional<String> type = choice.serviceType().or(() -> choice.serviceName().isEmpty() ? Optional.of("image") : Optional.empty());
        List<Service> services = catalog.services(type, choice.serviceName());
        if (services.size() != 1) {
            throw misconfigured(services.isEmpty() ? "Service not found" : "Multiple services found");
        }
        if (choice.regionName().isPresent()) {
            found(() -> catalog.region(choice.regionName().get()), "Region not found");
        }
        List<Endpoint> endpoints = catalog.endpoints(Optional.of(choice.iface()), Optional.of(services.get(0).id()),
                choice.regionName());
        if (endpoints.size() != 1) {
            throw misconfigured(endpoints.isEmpty() ? "Endpoint not found" : "Multiple endpoints found");
        }
        return endpoints.get(0);
    }

    /** A catalog look-up whose 404 is a configuration error here, not the client's. */
    private static <T> T found(java.util.function.Supplier<T> lookup, String what) {
        try {
            return lookup.get();
        } catch (GlintException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                throw misconfigured(what);
            }
            throw e;
        }
    }

    /** oslo.limit's ValueError: a configuration that names no single endpoint; Glance answers 500. */
    private static GlintException misconfigured(String what) {
        return new GlintException(ErrorKind.INTERNAL, "[oslo_limit]: " + what + " for the image service's limits");
    }
}
