package glint.api;

import glint.http.Router;
import glint.metadef.MetadefService;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code /v2/metadefs/namespaces/{ns}/tags}: Glance's TagsController. */
public final class MetadefTagsApi {
    private final MetadefService metadefs;
    private final MetadefRequests requests;
    private final MetadefViews views;

    public MetadefTagsApi(MetadefService metadefs, MetadefRequests requests, MetadefViews views) {
        this.metadefs = metadefs;
        this.requests = requests;
        this.views = views;
    }

    public void register(Router router) {
        String base = "/v2/metadefs/namespaces/{ns}/tags";
        router.add("GET", base, ex -> ex.sendJson(200, Map.of("tags", metadefs.listTags(ex.context(), ex.pathParam("ns"))
                .stream().map(t -> Map.of("name", t.name())).toList())));
        router.add("POST", base, ex -> {
            // strutils.bool_from_string: only true-ish words append, anything else replaces the tags
            boolean append = ex.header("X-Openstack-Append").map(v -> v.trim().toLowerCase(Locale.ROOT))
                    .filter(v -> List.of("1", "t", "true", "on", "y", "yes").contains(v)).isPresent();
            ex.sendJson(201, Map.of("tags", metadefs.createTags(ex.context(), ex.pathParam("ns"),
                    requests.tagNames(MetadefRequests.body(ex)), append).stream().map(t -> Map.of("name", t.name())).toList()));
        });
        router.add("POST", base + "/{name}", ex -> {
            requests.checkTagName(ex.pathParam("name"));
            ex.sendJson(201, views.tag(metadefs.createTag(ex.context(), ex.pathParam("ns"), ex.pathParam("name"))));
        });
        router.add("GET", base + "/{name}", ex -> ex.sendJson(200, views.tag(
                metadefs.getTag(ex.context(), ex.pathParam("ns"), ex.pathParam("name")))));
        router.add("PUT", base + "/{name}", ex -> ex.sendJson(200, views.tag(metadefs.updateTag(ex.context(),
                ex.pathParam("ns"), ex.pathParam("name"), requests.tagName(MetadefRequests.body(ex))))));
        router.add("DELETE", base + "/{name}", ex -> {
            metadefs.deleteTag(ex.context(), ex.pathParam("ns"), ex.pathParam("name"));
            ex.sendEmpty(204);
        });
    }
}
