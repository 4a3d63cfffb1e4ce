package glint.image.imports;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A decoded {@code POST /v2/images/{id}/import} body (Glance's {@code _validate_import_body} has checked its
 * shape): the method, web-download's {@code uri}, the target stores ({@code stores}, {@code all_stores}, or the
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
    /** The methods Glint implements (glance-download needs a second region and is not among them). */
    public static final List<String> METHODS = List.of(GLANCE_DIRECT, WEB_DOWNLOAD, COPY_IMAGE);
}
