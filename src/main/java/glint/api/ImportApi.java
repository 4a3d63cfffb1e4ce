package glint.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.http.Exchange;
import glint.http.Router;
import glint.image.imports.ImportRequest;
import glint.image.imports.ImportService;
import glint.metrics.DataMetrics;
import glint.task.TaskService;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Interoperable image import: {@code PUT /v2/images/{id}/stage}, {@code POST /v2/images/{id}/import} (202) and
 * {@code GET /v2/images/{id}/tasks} (2.12). The body checks are Glance's {@code _validate_import_body}.
 */
public final class ImportApi {
    private final ImportService imports;
    private final TaskService tasks;
    private final TaskView view;
    private final ObjectMapper json;
    private final boolean multiStore;
    private final DataMetrics metrics;

    public ImportApi(ImportService imports, TaskService tasks, TaskView view, ObjectMapper json, boolean multiStore,
                     DataMetrics metrics) {
        this.metrics = metrics;
        this.imports = imports;
        this.tasks = tasks;
        this.view = view;
        this.json = json;
        this.multiStore = multiStore;
    }

    public void register(Router router) {
        router.add("PUT", "/v2/images/{image_id}/stage", this::stage);
        router.add("POST", "/v2/images/{image_id}/import", this::importImage);
        router.add("GET", "/v2/images/{image_id}/tasks", ex -> ex.sendJson(200, Map.of("tasks",
                tasks.ofImage(ex.context(), ex.pathParam("image_id")).stream().map(view::ofImage).toList())));
    }

    private void stage(Exchange ex) throws IOException {
        if (!imports.enabledMethods().contains(ImportRequest.GLANCE_DIRECT)) {
            throw GlintException.notFound("'glance-direct' method is not available at this site.");
        }
        String type = ex.header("Content-Type").orElse(null);
        if (type == null || !type.split(";")[0].strip().equalsIgnoreCase("application/octet-stream")) {
            throw new GlintException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "Invalid content type " + type);
        }
        long length = ex.contentLength();
        try (DataMetrics.InFlight staging = metrics.started(DataMetrics.Operation.STAGE);
             InputStream body = metrics.received(ex.bodyStream(), DataMetrics.Operation.STAGE)) {
            imports.stage(ex.context(), ex.pathParam("image_id"), body, length >= 0 ? OptionalLong.of(length) : OptionalLong.empty());
        }
        ex.sendEmpty(204);
    }

    private void importImage(Exchange ex) {
        JsonNode body = ex.readJson();
        ImportRequest request = decode(body, ex.header("X-Image-Meta-Store").filter(h -> multiStore));
        imports.importImage(ex.context(), ex.pathParam("image_id"), request);
        ex.sendEmpty(202);
    }

    @SuppressWarnings("unchecked")
    private ImportRequest decode(JsonNode body, Optional<String> storeHeader) {
        if (body == null || !body.isObject()) {
            throw GlintException.badRequest("Import request requires a 'method' field.");
        }
        JsonNode method = body.get("method");
        if (method == null) {
            throw GlintException.badRequest("Import request requires a 'method' field.");
        }
        JsonNode name = method.isObject() ? method.get("name") : null;
        if (name == null) {
            throw GlintException.badRequest("Import request requires a 'name' field.");
        }
        String methodName = name.isTextual() ? name.asText() : name.toString();
        if (!imports.enabledMethods().contains(methodName)) {
            throw GlintException.badRequest("Unknown import method name '" + methodName + "'.");
        }
        boolean mustSucceed = bool(body, "all_stores_must_succeed", true);
        boolean allStores = bool(body, "all_stores", false);
        Optional<List<String>> stores = Optional.empty();
        JsonNode s = body.get("stores");
        if (s != null) {
            if (!s.isArray()) {
                throw GlintException.badRequest("Invalid stores: must be a list of store identifiers");
            }
            List<String> list = new ArrayList<>();
            s.forEach(n -> list.add(n.isTextual() ? n.asText() : n.toString()));
            stores = Optional.of(list);
        }
        JsonNode uri = method.get("uri");
        return new ImportRequest(methodName, Optional.ofNullable(uri).filter(JsonNode::isTextual).map(JsonNode::asText),
                stores, allStores, mustSucceed, storeHeader, json.convertValue(body, Map.class));
    }

    private static boolean bool(JsonNode body, String key, boolean dflt) {
        JsonNode v = body.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw GlintException.badRequest("'" + key + "' must be boolean value only");
        }
        return v.asBoolean();
    }
}
