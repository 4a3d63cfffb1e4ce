package glint.api;

import glint.http.Exchange;
import glint.http.Router;
import glint.image.Image;
import glint.image.ImageDataService;
import glint.image.ImagePage;
import glint.image.ImageService;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.eclipse.jetty.util.Fields;

/** Image records: create, list, show, update (JSON patch), delete, tags and the deactivate/reactivate actions. */
public final class ImagesApi {
    private final ImageService images;
    private final ImageDataService data;
    private final ImageRequests requests;
    private final ListQueryParser listQueries;
    private final ImageView view;
    /** Glance's create response headers: {@code OpenStack-image-import-methods}, {@code OpenStack-image-store-ids}. */
    private final Map<String, String> createHeaders;

    public ImagesApi(ImageService images, ImageDataService data, ImageRequests requests, ListQueryParser listQueries, ImageView view) {
        this(images, data, requests, listQueries, view, Map.of());
    }

    public ImagesApi(ImageService images, ImageDataService data, ImageRequests requests, ListQueryParser listQueries,
                     ImageView view, Map<String, String> createHeaders) {
        this.createHeaders = Map.copyOf(createHeaders);
        this.images = images;
        this.data = data;
        this.requests = requests;
        this.listQueries = listQueries;
        this.view = view;
    }

    public void register(Router router) {
        router.add("POST", "/v2/images", this::create);
        router.add("GET", "/v2/images", this::list);
        router.add("GET", "/v2/images/{image_id}", ex -> ex.sendJson(200, view.render(images.get(ex.context(), ex.pathParam("image_id")))));
        router.add("PATCH", "/v2/images/{image_id}", this::update);
        router.add("DELETE", "/v2/images/{image_id}", this::delete);
        router.add("PUT", "/v2/images/{image_id}/tags/{tag_value}", ex -> {
            images.addTag(ex.context(), ex.pathParam("image_id"), requests.tag(ex.pathParam("tag_value")));
            ex.sendEmpty(204);
        });
        router.add("DELETE", "/v2/images/{image_id}/tags/{tag_value}", ex -> {
            images.removeTag(ex.context(), ex.pathParam("image_id"), ex.pathParam("tag_value"));
            ex.sendEmpty(204);
        });
        router.add("POST", "/v2/images/{image_id}/actions/deactivate", ex -> {
            images.deactivate(ex.context(), ex.pathParam("image_id"));
            ex.sendEmpty(204);
        });
        router.add("POST", "/v2/images/{image_id}/actions/reactivate", ex -> {
            images.reactivate(ex.context(), ex.pathParam("image_id"));
            ex.sendEmpty(204);
        });
    }

    private void create(Exchange ex) {
        Image image = images.create(ex.context(), requests.create(ex.readJson()));
        ex.setHeader("Location", "/v2/images/" + image.id());
        createHeaders.forEach(ex::setHeader);
        ex.sendJson(201, view.render(image));
    }

    private void update(Exchange ex) {
        var changes = requests.patch(ex.header("Content-Type").orElse(null), ex.readJson());
        ex.sendJson(200, view.render(images.update(ex.context(), ex.pathParam("image_id"), changes)));
    }

    private void delete(Exchange ex) {
        data.delete(ex.context(), ex.pathParam("image_id"));
        ex.sendEmpty(204);
    }

    private void list(Exchange ex) {
        List<Map.Entry<String, String>> params = params(ex.query());
        ImagePage page = images.list(ex.context(), listQueries.parse(params));
        List<Map.Entry<String, String>> withoutMarker = params.stream().filter(p -> !p.getKey().equals("marker")).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("images", page.images().stream().map(view::render).toList());
        String query = encode(withoutMarker);
        body.put("first", "/v2/images" + (query.isEmpty() ? "" : "?" + query));
        body.put("schema", "/v2/schemas/images");
        page.nextMarker().ifPresent(marker -> {
            List<Map.Entry<String, String>> next = new ArrayList<>(withoutMarker);
            next.add(new AbstractMap.SimpleEntry<>("marker", marker));
            body.put("next", "/v2/images?" + encode(next));
        });
        ex.sendJson(200, body);
    }

    private static List<Map.Entry<String, String>> params(Fields fields) {
        List<Map.Entry<String, String>> params = new ArrayList<>();
        for (Fields.Field f : fields) {
            for (String v : f.getValues()) {
                params.add(new AbstractMap.SimpleEntry<>(f.getName(), v));
            }
        }
        return params;
    }

    private static String encode(List<Map.Entry<String, String>> params) {
        return params.stream()
                .map(p -> URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
