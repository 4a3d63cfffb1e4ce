package glint.api;

import glint.http.Router;
import glint.metadef.MetadefService;
import java.util.Map;

/** {@code /v2/metadefs/resource_types} and a namespace's associations: Glance's ResourceTypeController. */
public final class MetadefResourceTypesApi {
    private final MetadefService metadefs;
    private final MetadefRequests requests;
    private final MetadefViews views;

    public MetadefResourceTypesApi(MetadefService metadefs, MetadefRequests requests, MetadefViews views) {
        this.metadefs = metadefs;
        this.requests = requests;
        this.views = views;
    }

    public void register(Router router) {
        router.add("GET", "/v2/metadefs/resource_types", ex -> ex.sendJson(200, Map.of("resource_types",
                metadefs.listResourceTypes(ex.context()).stream().map(views::resourceType).toList())));
        String base = "/v2/metadefs/namespaces/{ns}/resource_types";
        router.add("GET", base, ex -> ex.sendJson(200, Map.of("resource_type_associations",
                metadefs.listAssociations(ex.context(), ex.pathParam("ns")).stream().map(views::association).toList())));
        router.add("POST", base, ex -> ex.sendJson(201, views.association(metadefs.associate(ex.context(),
                ex.pathParam("ns"), requests.association(MetadefRequests.body(ex))))));
        router.add("DELETE", base + "/{rt}", ex -> {
            metadefs.dissociate(ex.context(), ex.pathParam("ns"), ex.pathParam("rt"));
            ex.sendEmpty(204);
        });
    }
}
