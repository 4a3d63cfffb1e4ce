package glint.api;

import static glint.api.IdentityRequests.bool;
import static glint.api.IdentityRequests.invalid;
import static glint.api.IdentityRequests.member;
import static glint.api.IdentityRequests.nullableString;
import static glint.api.IdentityRequests.string;

import com.fasterxml.jackson.databind.JsonNode;
import glint.error.GlintException;
import glint.http.Exchange;
import glint.http.Router;
import glint.identity.CatalogAdmin;
import glint.identity.CatalogAdmin.EndpointChange;
import glint.identity.CatalogAdmin.RegionChange;
import glint.identity.CatalogAdmin.ServiceChange;
import glint.identity.CatalogRecords.Region;
import glint.identity.IdentityRules;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keystone v3's catalog API for the built-in identity, under {@code /identity/v3}: {@code /regions},
 * {@code /services} and {@code /endpoints}, list, show, create, update, delete (keystone/api/regions.py,
 * services.py, endpoints.py; request checks from keystone/catalog/schema.py). Keystone's default policies: any valid
 * token reads regions, an admin or a system reader reads services and endpoints, an admin writes.
 */
public final class CatalogAdminApi {
    private static final String V3 = IdentityApi.PREFIX + "/v3";
    private static final List<String> INTERFACES = List.of("admin", "internal", "public");

    private final CatalogAdmin catalog;
    private final IdentityViews views;
    private final IdentityCallers callers;

    public CatalogAdminApi(CatalogAdmin catalog, IdentityRules rules, Optional<String> publicEndpoint) {
        this.catalog = catalog;
        this.views = new IdentityViews(publicEndpoint);
        this.callers = new IdentityCallers(rules, views);
    }

    public void register(Router router) {
        registerRegions(router);
        registerServices(router);
        registerEndpoints(router);
    }

    private void registerRegions(Router router) {
        router.addPublic("GET", V3 + "/regions", ex -> {
            callers.authorize(ex, "list_regions");
            ex.sendJson(200, views.collection(ex, "regions", catalog.regions(ex.queryParam("parent_region_id")),
                    r -> views.region(ex, r)));
        });
        router.addPublic("POST", V3 + "/regions", ex -> {
            callers.authorize(ex, "create_region");
            JsonNode r = member(ex, "region");
            createdRegion(ex, catalog.createRegion(regionId(r, "id", 0), description(r), regionId(r, "parent_region_id", 1)));
        });
        router.addPublic("PUT", V3 + "/regions/{region_id}", ex -> {
            callers.authorize(ex, "create_region");
            String id = ex.pathParam("region_id");
            JsonNode r = member(ex, "region");
            if (regionId(r, "id", 0).filter(given -> !given.equals(id)).isPresent()) {
                throw GlintException.badRequest("Conflicting region IDs specified: \"" + id + "\" != \"" + r.get("id").asText() + "\"");
            }
            createdRegion(ex, catalog.createRegion(Optional.of(id), description(r), regionId(r, "parent_region_id", 1)));
        });
        router.addPublic("GET", V3 + "/regions/{region_id}", ex -> {
            callers.authorize(ex, "get_region");
            ex.sendJson(200, Map.of("region", views.region(ex, catalog.region(ex.pathParam("region_id")))));
        });
        router.addPublic("PATCH", V3 + "/regions/{region_id}", ex -> {
            callers.authorize(ex, "update_region");
            JsonNode r = changes(ex, "region");
            RegionChange change = new RegionChange(description(r),
                    r.has("parent_region_id") ? Optional.of(regionId(r, "parent_region_id", 1)) : Optional.empty());
            ex.sendJson(200, Map.of("region", views.region(ex, catalog.updateRegion(ex.pathParam("region_id"), change))));
        });
        router.addPublic("DELETE", V3 + "/regions/{region_id}", ex -> {
            callers.authorize(ex, "delete_region");
            catalog.deleteRegion(ex.pathParam("region_id"));
            ex.sendEmpty(204);
        });
    }

    private void registerServices(Router router) {
        router.addPublic("GET", V3 + "/services", ex -> {
            callers.authorize(ex, "list_services");
            ex.sendJson(200, views.collection(ex, "services", catalog.services(ex.queryParam("type"), ex.queryParam("name")),
                    s -> views.service(ex, s)));
        });
        router.addPublic("POST", V3 + "/services", ex -> {
            callers.authorize(ex, "create_service");
            JsonNode s = member(ex, "service");
            String type = limited(s, "type", 1).orElseThrow(() -> invalid("type", "'type' is a required property"));
            ex.sendJson(201, Map.of("service", views.service(ex, catalog.createService(type, limited(s, "name", 1),
                    nullableString(s, "description").flatMap(d -> d), bool(s, "enabled")))));
        });
        router.addPublic("GET", V3 + "/services/{service_id}", ex -> {
            callers.authorize(ex, "get_service");
            ex.sendJson(200, Map.of("service", views.service(ex, catalog.service(ex.pathParam("service_id")))));
        });
        router.addPublic("PATCH", V3 + "/services/{service_id}", ex -> {
            callers.authorize(ex, "update_service");
            JsonNode s = changes(ex, "service");
            ServiceChange change = new ServiceChange(limited(s, "type", 1), limited(s, "name", 1),
                    nullableString(s, "description"), bool(s, "enabled"));
            ex.sendJson(200, Map.of("service", views.service(ex, catalog.updateService(ex.pathParam("service_id"), change))));
        });
        router.addPublic("DELETE", V3 + "/services/{service_id}", ex -> {
            callers.authorize(ex, "delete_service");
            catalog.deleteService(ex.pathParam("service_id"));
            ex.sendEmpty(204);
        });
    }

    private void registerEndpoints(Router router) {
        router.addPublic("GET", V3 + "/endpoints", ex -> {
            callers.authorize(ex, "list_endpoints");
            ex.sendJson(200, views.collection(ex, "endpoints", catalog.endpoints(ex.queryParam("interface"),
                    ex.queryParam("service_id"), ex.queryParam("region_id")), e -> views.endpoint(ex, e)));
        });
        router.addPublic("POST", V3 + "/endpoints", ex -> {
            callers.authorize(ex, "create_endpoint");
            EndpointChange e = endpoint(member(ex, "endpoint"));
            required(e.iface(), "interface");
            required(e.serviceId(), "service_id");
            required(e.url(), "url");
            ex.sendJson(201, Map.of("endpoint", views.endpoint(ex, catalog.createEndpoint(e))));
        });
        router.addPublic("GET", V3 + "/endpoints/{endpoint_id}", ex -> {
            callers.authorize(ex, "get_endpoint");
            ex.sendJson(200, Map.of("endpoint", views.endpoint(ex, catalog.endpoint(ex.pathParam("endpoint_id")))));
        });
        router.addPublic("PATCH", V3 + "/endpoints/{endpoint_id}", ex -> {
            callers.authorize(ex, "update_endpoint");
            EndpointChange change = endpoint(changes(ex, "endpoint"));
            ex.sendJson(200, Map.of("endpoint", views.endpoint(ex, catalog.updateEndpoint(ex.pathParam("endpoint_id"), change))));
        });
        router.addPublic("DELETE", V3 + "/endpoints/{endpoint_id}", ex -> {
            callers.authorize(ex, "delete_endpoint");
            catalog.deleteEndpoint(ex.pathParam("endpoint_id"));
            ex.sendEmpty(204);
        });
    }

    private void createdRegion(Exchange ex, Region created) {
        ex.sendJson(201, Map.of("region", views.region(ex, created)));
    }

    /** An update's member: at least one property, and no other {@code id} than the one in the path (Keystone's {@code _require_matching_id}). */
    private static JsonNode changes(Exchange ex, String key) {
        JsonNode member = member(ex, key);
        if (member.isEmpty()) {
            throw invalid(key, "{} does not have enough properties");
        }
        JsonNode id = member.path("id");
        if (!id.isMissingNode() && !id.isNull() && !id.asText().equals(ex.pathParam(key + "_id"))) {
            throw GlintException.badRequest("Cannot change ID");
        }
        return member;
    }

    private static void required(Optional<String> value, String field) {
        if (value.isEmpty()) {
            throw invalid(field, "'" + field + "' is a required property");
        }
    }

    private static EndpointChange endpoint(JsonNode e) {
        Optional<String> iface = string(e, "interface");
        if (iface.isPresent() && !INTERFACES.contains(iface.get())) {
            throw invalid("interface", "'" + iface.get() + "' is not one of " + "['admin', 'internal', 'public']");
        }
        Optional<String> url = string(e, "url");
        if (url.isPresent() && (url.get().length() > 225 || !url.get().matches("^[a-zA-Z0-9+.-]+:.+"))) {
            throw invalid("url", "'" + url.get() + "' is not a valid URL (at most 225 characters, scheme:...)");
        }
        return new EndpointChange(string(e, "service_id"), iface, nullableString(e, "region_id"), string(e, "region"), url,
                bool(e, "enabled"));
    }

    /** A region id ({@code minLength} 0 for a new region's own id, else 1; at most 255), or null / absent: empty. */
    private static Optional<String> regionId(JsonNode node, String field, int minLength) {
        Optional<String> id = nullableString(node, field).flatMap(v -> v);
        if (id.isPresent() && (id.get().length() < minLength || id.get().length() > 255)) {
            throw invalid(field, "'" + id.get() + "' is not 1 to 255 characters long");
        }
        return id;
    }

    /** Keystone stores "" for a null description. */
    private static Optional<String> description(JsonNode node) {
        Optional<String> d = nullableString(node, "description").map(v -> v.orElse(""));
        if (d.isPresent() && d.get().length() > 255) {
            throw invalid("description", "'" + d.get() + "' is too long (at most 255 characters)");
        }
        return d;
    }

    private static Optional<String> limited(JsonNode node, String field, int minLength) {
        Optional<String> v = string(node, field);
        if (v.isPresent() && (v.get().length() < minLength || v.get().length() > 255)) {
            throw invalid(field, "'" + v.get() + "' is not " + minLength + " to 255 characters long");
        }
        return v;
    }
}
