package glint.api;

import com.fasterxml.jackson.databind.JsonNode;
import glint.http.Exchange;
import glint.http.Router;
import glint.image.StoreDeletion;
import glint.image.imports.LocationImport;

/**
 * The locations API beside PATCH: {@code DELETE /v2/stores/{store_id}/{image_id}} (2.10), and 2.17's
 * {@code POST}/{@code GET /v2/images/{image_id}/locations} (glance/api/v2/images.py {@code delete_from_store},
 * {@code add_location}, {@code get_locations}).
 */
public final class LocationsApi {
    private final StoreDeletion deletion;
    private final LocationImport locations;
    private final LocationRequests requests;
    private final ImageView view;

    public LocationsApi(StoreDeletion deletion, LocationImport locations, LocationRequests requests, ImageView view) {
        this.deletion = deletion;
        this.locations = locations;
        this.requests = requests;
        this.view = view;
    }

    public void register(Router router) {
        router.add("DELETE", "/v2/stores/{store_id}/{image_id}", ex -> {
            deletion.delete(ex.context(), ex.pathParam("store_id"), ex.pathParam("image_id"));
            ex.sendEmpty(204);
        });
        router.add("POST", "/v2/images/{image_id}/locations", this::add);
        router.add("GET", "/v2/images/{image_id}/locations", ex -> ex.sendJson(200,
                locations.list(ex.context(), ex.pathParam("image_id")).stream().map(view::location).toList()));
    }

    private void add(Exchange ex) {
        JsonNode body = requests.addLocation(ex.readJson());
        locations.add(ex.context(), ex.pathParam("image_id"), body.get("url").textValue(), requests.validationData(body));
        ex.sendEmpty(202);
    }
}
