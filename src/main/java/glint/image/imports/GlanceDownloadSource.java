package glint.image.imports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.auth.ServiceCatalogs;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * glance-download (Glance's {@code _ImportMetadata} and {@code _DownloadGlanceImage},
 * glance/async_/flows/api_image_import.py and _internal_plugins/glance_download.py): the image service of
 * {@code glance_region} at {@code glance_service_interface} is looked up in the requester's catalog (Glance's
 * {@code get_glance_endpoint}); {@code GET {endpoint}/v2/images/{glance_image_id}} with the requester's token must
 * show an active image, whose formats and chosen properties are copied ({@link GlanceDownloadMetadata}); then
 * {@code /file} is streamed into staging like web-download's data (the import filter checked at each hop, size cap,
 * the remote size expected, inspected against the copied disk format). A failed task puts the copied metadata back
 * ({@link #finish}).
 */
public final class GlanceDownloadSource implements ImportSource {
    private static final Logger LOG = LoggerFactory.getLogger(GlanceDownloadSource.class);
    /** A remote image's JSON is a few KiB; more than this is not an image service talking. */
    static final int MAX_METADATA_BYTES = 1 << 20;

    private final ServiceCatalogs catalogs;
    private final WebSource web;
    private final ImportBlobs blobs;
    private final ImportImages images;
    private final GlanceDownloadMetadata metadata;
    private final ObjectMapper json;
    /** Per running task: what its metadata copy replaced. */
    private final Map<String, GlanceDownloadMetadata.Undo> copied = new ConcurrentHashMap<>();

    public GlanceDownloadSource(ServiceCatalogs catalogs, WebSource web, ImportBlobs blobs, ImportImages images,
                         GlanceDownloadMetadata metadata, ObjectMapper json) {
        this.catalogs = catalogs;
        this.web = web;
        this.blobs = blobs;
        this.images = images;
        this.metadata = metadata;
        this.json = json;
    }

    @Override
    public Data acquire(ImportPlan plan) throws IOException {
        String remoteId = param(plan, "glance_image_id");
        String token = plan.requester().authToken();
        if (token == null) {
            throw new ImportFailed("The import request had no token to call the remote image service with");
        }
        String base = endpoint(plan) + "/v2/images/" + remoteId;
        Map<String, String> auth = Map.of("X-Auth-Token", token);
        LOG.info("task {}: fetching glance image metadata from remote host {}", plan.task().id(), base);
        JsonNode remote = fetchMetadata(base, auth);
        if (!remote.path("status").asText().equals("active")) {
            throw new ImportFailed("Source image status should be active instead of " + remote.path("status").asText());
        }
        copied.put(plan.task().id(), metadata.copy(plan, remote));
        if (!remote.path("size").canConvertToLong()) {
            throw new ImportFailed("Size attribute of remote image " + remoteId + " could not be determined.");
        }
        long size = remote.path("size").asLong();
        LOG.info("task {}: downloading glance image {}/file", plan.task().id(), base);
        WebSource.Body body = open(base + "/file", auth);
        try (InputStream in = body.stream()) {
            Data staged = blobs.toStaging(images.current(plan.imageId()), in, OptionalLong.of(size),
                    plan.requester().projectId());
            LOG.info("task {}: downloaded {} bytes of glance image {} for image {}", plan.task().id(), staged.size(), remoteId,
                    plan.imageId());
            return staged;
        }
    }

    @Override
    public void finish(ImportPlan plan, boolean failed) {
        GlanceDownloadMetadata.Undo undo = copied.remove(plan.task().id());
        if (failed && undo != null) {
            metadata.revert(plan.imageId(), undo);
        }
    }

    /** Glance's {@code get_glance_endpoint}, without a trailing slash. */
    private String endpoint(ImportPlan plan) {
        String region = param(plan, "glance_region");
        String iface = param(plan, "glance_service_interface");
        String url;
        try {
            url = catalogs.of(plan.requester()).url("image", region, iface)
                    .orElseThrow(() -> new ImportFailed(iface + " glance endpoint not found for region " + region));
        } catch (ServiceCatalogs.CatalogUnavailableException e) {
            throw new ImportFailed("The requester's service catalog could not be had: " + e.getMessage());
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private JsonNode fetchMetadata(String url, Map<String, String> auth) throws IOException {
        byte[] bytes;
        try (InputStream in = open(url, auth).stream()) {
            bytes = in.readNBytes(MAX_METADATA_BYTES + 1);
        } catch (IOException e) {
            throw new ImportFailed("Fetching glance image metadata from remote host " + url + " failed: " + e.getMessage());
        }
        try {
            JsonNode remote = bytes.length > MAX_METADATA_BYTES ? null : json.readTree(bytes);
            if (remote != null && remote.isObject()) {
                return remote;
            }
        } catch (IOException e) {
            // said below
        }
        throw new ImportFailed("The remote host " + url + " did not answer with an image");
    }

    private WebSource.Body open(String url, Map<String, String> auth) throws IOException {
        try {
            return web.open(url, auth);
        } catch (UriFilter.Refused e) {
            LOG.info("URI for glance-download refused: {}", e.getMessage());
            throw new ImportFailed("Processed URI for glance-download does not pass filtering: " + url);
        }
    }

    /** {@code import_req.method.<key>} of the task's input, as a string ("None" when it is not one, as Python prints it). */
    private static String param(ImportPlan plan, String key) {
        Object req = plan.task().input().get("import_req");
        Object method = req instanceof Map<?, ?> r ? r.get("method") : null;
        Object value = method instanceof Map<?, ?> m ? m.get(key) : null;
        return value == null ? "None" : String.valueOf(value);
    }
}
