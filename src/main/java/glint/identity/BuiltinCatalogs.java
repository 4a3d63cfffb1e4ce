package glint.identity;

import glint.auth.RequestContext;
import glint.auth.ServiceCatalog;
import glint.auth.ServiceCatalogs;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A requester's catalog from the built-in identity: what its token's catalog says ({@link Catalog}), with
 * {@code $(public_endpoint)s} this server's URL (there is no client request to take it from).
 */
public final class BuiltinCatalogs implements ServiceCatalogs {
    private final Catalog catalog;
    private final Supplier<String> publicEndpoint;

    /** @param publicEndpoint {@code public_endpoint}, else this server's address, once it listens */
    public BuiltinCatalogs(Catalog catalog, Supplier<String> publicEndpoint) {
        this.catalog = catalog;
        this.publicEndpoint = publicEndpoint;
    }

    @Override
    public ServiceCatalog of(RequestContext requester) {
        if (requester.projectId() == null && !requester.systemScope()) {
            return ServiceCatalog.EMPTY;
        }
        List<ServiceCatalog.Endpoint> endpoints = new ArrayList<>();
        for (Catalog.Entry entry : catalog.of(requester.userId(), Optional.ofNullable(requester.projectId()), publicEndpoint.get())) {
            entry.endpoints().forEach(e -> endpoints.add(new ServiceCatalog.Endpoint(entry.service().type(), e.iface(),
                    e.regionId().orElse(null), e.url())));
        }
        return new ServiceCatalog(endpoints);
    }
}
