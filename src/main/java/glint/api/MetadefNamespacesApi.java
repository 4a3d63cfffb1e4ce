package glint.api;

import glint.error.GlintException;
import glint.http.Exchange;
import glint.http.Router;
import glint.metadef.MetadefService;
import glint.metadef.Namespace;
import glint.metadef.NamespaceContents;
import glint.metadef.NamespacePage;
import glint.metadef.NamespaceQuery;
import glint.metadef.NamespaceView;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.util.Fields;

/** {@code /v2/metadefs/namespaces}: Glance's NamespaceController (glance/api/v2/metadef_namespaces.py). */
public final class MetadefNamespacesApi {
    private final MetadefService metadefs;
    private final MetadefRequests requests;
    private final MetadefViews views;
    private final int limitDefault;
    private final int limitMax;

    public MetadefNamespacesApi(MetadefService metadefs, MetadefRequests requests, MetadefViews views, int limitDefault,
            int limitMax) {
        this.metadefs = metadefs;
        this.requests = requests;
        this.views = views;
        this.limitDefault = limitDefault;
        this.limitMax = limitMax;
    }

    public void register(Router router) {
        router.add("GET", "/v2/metadefs/namespaces", this::list);
        router.add("POST", "/v2/metadefs/namespaces", this::create);
        router.add("GET", "/v2/metadefs/namespaces/{ns}", ex -> {
            NamespaceView v = metadefs.showNamespace(ex.context(), ex.pathParam("ns"),
                    ex.queryParam("resource_type").filter(s -> !s.isEmpty()));
            ex.sendJson(200, views.namespace(v.namespace(), v.contents()));
        });
        router.add("PUT", "/v2/metadefs/namespaces/{ns}", ex -> {
            MetadefRequests.NamespaceRequest request = requests.namespace(MetadefRequests.body(ex));
            Namespace updated = metadefs.updateNamespace(ex.context(), ex.pathParam("ns"), request.fields());
            ex.sendJson(200, views.namespace(updated, NamespaceContents.empty()));
        });
        router.add("DELETE", "/v2/metadefs/namespaces/{ns}", ex -> {
            metadefs.deleteNamespace(ex.context(), ex.pathParam("ns"));
            ex.sendEmpty(204);
        });
        router.add("DELETE", "/v2/metadefs/namespaces/{ns}/objects", ex -> {
            metadefs.deleteObjects(ex.context(), ex.pathParam("ns"));
            ex.sendEmpty(204);
        });
        router.add("DELETE", "/v2/metadefs/namespaces/{ns}/properties", ex -> {
            metadefs.deleteProperties(ex.context(), ex.pathParam("ns"));
            ex.sendEmpty(204);
        });
        router.add("DELETE", "/v2/metadefs/namespaces/{ns}/tags", ex -> {
            metadefs.deleteTags(ex.context(), ex.pathParam("ns"));
            ex.sendEmpty(204);
        });
    }

    private void create(Exchange ex) {
        MetadefRequests.NamespaceRequest request = requests.namespace(MetadefRequests.body(ex));
        NamespaceView created = metadefs.createNamespace(ex.context(), request.fields(), request.contents());
        ex.setHeader("Location", MetadefViews.namespaceHref(created.namespace().namespace()));
        ex.sendJson(201, views.namespace(created.namespace(), created.contents()));
    }

    private void list(Exchange ex) {
        String sortDir = ex.queryParam("sort_dir").orElse("desc");
        if (!sortDir.equals("asc") && !sortDir.equals("desc")) {
            throw GlintException.badRequest("Invalid sort direction: " + sortDir);
        }
        String sortKey = ex.queryParam("sort_key").orElse("created_at");
        if (!NamespaceQuery.SORT_KEYS.contains(sortKey)) {
            throw GlintException.badRequest("Invalid sort key: " + sortKey);
        }
        Optional<String> visibility = ex.queryParam("visibility").filter(v -> !v.isEmpty());
        if (visibility.isPresent() && !List.of("public", "private").contains(visibility.get())) {
            throw GlintException.badRequest("Invalid visibility value: " + visibility.get());
        }
        int limit = limitDefault;
        if (ex.queryParam("limit").isPresent()) {
            try {
                limit = Integer.parseInt(ex.queryParam("limit").get());
            } catch (NumberFormatException e) {
                throw GlintException.badRequest("limit param must be an integer");
            }
            if (limit < 0) {
                throw GlintException.badRequest("limit param must be positive");
            }
        }
        limit = Math.min(limit, limitMax);
        List<String> resourceTypes = ex.queryParam("resource_types").filter(s -> !s.isEmpty())
                .map(s -> Arrays.asList(s.split(","))).orElse(List.of());
        NamespacePage page = metadefs.listNamespaces(ex.context(), new NamespaceQuery(resourceTypes, visibility, limit,
                ex.queryParam("marker"), sortKey, sortDir.equals("asc")));

        Map<String, String> params = new LinkedHashMap<>();
        for (Fields.Field f : ex.query()) {
            if (!f.getName().equals("marker")) {
                params.put(f.getName(), f.getValue());
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("namespaces", page.namespaces().stream().map(v -> views.namespace(v.namespace(), v.contents())).toList());
        String query = encode(params);
        body.put("first", "/v2/metadefs/namespaces" + (query.isEmpty() ? "" : "?" + query));
        body.put("schema", "/v2/schemas/metadefs/namespaces");
        page.next().ifPresent(next -> {
            params.put("marker", next);
            body.put("next", "/v2/metadefs/namespaces?" + encode(params));
        });
        ex.sendJson(200, body);
    }

    private static String encode(Map<String, String> params) {
        List<String> parts = new ArrayList<>();
        params.forEach((k, v) -> parts.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return String.join("&", parts);
    }
}
