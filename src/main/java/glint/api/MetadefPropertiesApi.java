package glint.api;

import glint.http.Router;
import glint.metadef.MetadefService;
import java.util.Map;

/** {@code /v2/metadefs/namespaces/{ns}/properties}: Glance's NamespacePropertiesController. */
public final class MetadefPropertiesApi {
    private final MetadefService metadefs;
    private final MetadefRequests requests;
    private final MetadefViews views;

    public MetadefPropertiesApi(MetadefService metadefs, MetadefRequests requests, MetadefViews views) {
        this.metadefs = metadefs;
        this.requests = requests;
        this.views = views;
    }

    public void register(Router router) {
        String base = "/v2/metadefs/namespaces/{ns}/properties";
        router.add("GET", base, ex -> ex.sendJson(200, Map.of("properties",
                views.properties(metadefs.listProperties(ex.context(), ex.pathParam("ns"))))));
        router.add("POST", base, ex -> ex.sendJson(201, views.property(
                metadefs.createProperty(ex.context(), ex.pathParam("ns"), requests.property(MetadefRequests.body(ex))))));
        router.add("GET", base + "/{name}", ex -> ex.sendJson(200, views.property(metadefs.getProperty(ex.context(),
                ex.pathParam("ns"), ex.pathParam("name"), ex.queryParam("resource_type")))));
        router.add("PUT", base + "/{name}", ex -> ex.sendJson(200, views.property(metadefs.updateProperty(ex.context(),
                ex.pathParam("ns"), ex.pathParam("name"), requests.property(MetadefRequests.body(ex))))));
        router.add("DELETE", base + "/{name}", ex -> {
            metadefs.deleteProperty(ex.context(), ex.pathParam("ns"), ex.pathParam("name"));
            ex.sendEmpty(204);
        });
    }
}
