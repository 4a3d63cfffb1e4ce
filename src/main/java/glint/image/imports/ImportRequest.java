package glint.image.imports;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A decoded {@code POST /v2/images/{id}/import} body (Glance's {@code _validate_import_body} has checked its
 * shape): the method, web-download's {@code uri} (glance-download's parameters stay in the body's {@code method}),
 * the target stores ({@code stores}, {@code all_stores}, or the
 * {@code X-Image-Meta-Store} header), {@code all_stores_must_succeed}, and the body as sent, which the task keeps
 * as {@code input.import_req}.
 */
public record ImportRequest(
        String method,
        Optional<String> uri,
        Optional<List<String>> stores,
        boolean allStores,
        boolean allStoresMustSucceed,
        Optional<String> storeHeader,
        Map<String, Object> body) {

    public static final String GLANCE_DIRECT = "glance-direct";
    public static final String WEB_DOWNLOAD = "web-download";
    public static final String COPY_IMAGE = "copy-image";
    public static final String GLANCE_DOWNLOAD = "glance-download";
    /** The methods Glint implements. */
    public static final List<String> METHODS = List.of(GLANCE_DIRECT, WEB_DOWNLOAD, COPY_IMAGE, GLANCE_DOWNLOAD);

    /** Whether the body's {@code method} object has {@code key} (whatever its value, as Glance's {@code in} checks). */
    boolean hasMethodParam(String key) {
        return methodObject().containsKey(key);
    }

    /** The body's {@code method.<key>} as sent (null when absent). */
    Object methodValue(String key) {
        return methodObject().get(key);
    }

    /** The body's {@code method.<key>}, when it is there and a string. */
    Optional<String> methodParam(String key) {
        return methodValue(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** This request with {@code method.<key>} set in its body (what the task keeps as {@code input.import_req}). */
    ImportRequest withMethodParam(String key, String value) {
        Map<String, Object> method = new LinkedHashMap<>(methodObject());
        method.put(key, value);
        Map<String, Object> amended = new LinkedHashMap<>(body);
        amended.put("method", method);
        return new ImportRequest(this.method, uri, stores, allStores, allStoresMustSucceed, storeHeader, amended);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> methodObject() {
        return body.get("method") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
