package glint.api;

import glint.http.Router;
import glint.metadef.MetadefService;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /v2/metadefs/namespaces/{ns}/objects}: Glance's MetadefObjectsController. */
public final class MetadefObjectsApi {
    private final MetadefService metadefs;
    private final MetadefRequests requests;
    private final MetadefViews views;

    public MetadefObjectsApi(MetadefService metadefs, MetadefRequests requests, MetadefViews views) {
        this.metadefs = metadefs;
        this.requests = requests;
        this.views = views;
    }

    public void register(Router router) {
        String base = "/v2/metadefs/namespaces/{ns}/objects";
        router.add("GET", base, ex -> {
            String ns = ex.pathParam("ns");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("objects", metadefs.listObjects(ex.context(), ns).stream().map(o -> views.object(ns, o)).toList());
            body.put("schema", "v2/schemas/metadefs/objects"); // sic: Glance's serializer leaves out the leading slash
            ex.sendJson(200, body);
        });
        router.add("POST", base, ex -> ex.sendJson(201, views.object(ex.pathParam("ns"),
                metadefs.createObject(ex.context(), ex.pathParam("ns"), requests.object(MetadefRequests.body(ex))))));
        router.add("GET", base + "/{name}", ex -> ex.sendJson(200, views.object(ex.pathParam("ns"),
                metadefs.getObject(ex.context(), ex.pathParam("ns"), ex.pathParam("name")))));
        router.add("PUT", base + "/{name}", ex -> ex.sendJson(200, views.object(ex.pathParam("ns"),
                metadefs.updateObject(ex.context(), ex.pathParam("ns"), ex.pathParam("name"),
                        requests.object(MetadefRequests.body(ex))))));
        router.add("DELETE", base + "/{name}", ex -> {
            metadefs.deleteObject(ex.context(), ex.pathParam("ns"), ex.pathParam("name"));
            ex.sendEmpty(204);
        });
    }
}
