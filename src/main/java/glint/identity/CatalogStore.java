package glint.identity;

import glint.identity.CatalogRecords.Endpoint;
import glint.identity.CatalogRecords.Region;
import glint.identity.CatalogRecords.Service;
import java.util.List;
import java.util.Optional;

/**
 * Persistence of the service catalog (implemented by {@code glint.db.JdbcCatalogRepository}). The catalog is a
 * handful of rows: lists are whole, filtering is the caller's. {@code create…} answer {@code false} when the id is
 * taken.
 */
public interface CatalogStore {
    List<Region> regions();

    Optional<Region> region(String id);

    boolean createRegion(Region region);

    void updateRegion(Region region);

    /**
     * Deletes the regions in one transaction, unless an endpoint is in one of them.
     *
     * @return {@code false}, deleting nothing, when an endpoint is in one of them
     */
    boolean deleteRegions(List<String> ids);

    List<Service> services();

    Optional<Service> service(String id);

    boolean createService(Service service);

    void updateService(Service service);

    /** Deletes the service and its endpoints in one transaction. */
    void deleteService(String id);

    List<Endpoint> endpoints();

    Optional<Endpoint> endpoint(String id);

    boolean createEndpoint(Endpoint endpoint);

    void updateEndpoint(Endpoint endpoint);

    void deleteEndpoint(String id);
}
