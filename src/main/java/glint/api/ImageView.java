package glint.api;

import glint.image.Image;
import glint.image.ImageLocation;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * An image as Glance writes it on the wire ({@code ResponseSerializer._format_image} in glance/api/v2/images.py):
 * extra properties first, then the base attributes, {@code null} where unset, links relative, times to the second.
 */
public final class ImageView {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    /** Properties Glance keeps but never shows (images.py {@code _hidden_properties}). */
    private static final List<String> HIDDEN = List.of("os_glance_stage_host");

    private final boolean multiStore;
    private final boolean showLocations;
    private final boolean showDirectUrl;

    public ImageView(boolean multiStore) {
        this(multiStore, false, false);
    }

    /**
     * @param showLocations Glance's {@code show_multiple_locations}: {@code locations} in every view
     * @param showDirectUrl Glance's {@code show_image_direct_url}: {@code direct_url}, the first location, when there is one
     */
    public ImageView(boolean multiStore, boolean showLocations, boolean showDirectUrl) {
        this.multiStore = multiStore;
        this.showLocations = showLocations;
        this.showDirectUrl = showDirectUrl;
    }

    public Map<String, Object> render(Image image) {
        Map<String, Object> v = new LinkedHashMap<>();
        new TreeSet<>(image.properties().keySet()).forEach(k -> {
            if (!HIDDEN.contains(k)) {
                v.put(k, image.properties().get(k));
            }
        });
        v.put("name", image.name().orElse(null));
        v.put("disk_format", image.diskFormat().orElse(null));
        v.put("container_format", image.containerFormat().orElse(null));
        v.put("visibility", image.visibility().wire());
        v.put("size", image.size().orElse(null));
        v.put("virtual_size", image.virtualSize().orElse(null));
        v.put("status", image.status().wire());
        v.put("checksum", image.checksum().orElse(null));
        v.put("protected", image.isProtected());
        v.put("min_ram", image.minRam());
        v.put("min_disk", image.minDisk());
        v.put("owner", image.owner().orElse(null));
        v.put("os_hidden", image.osHidden());
        v.put("os_hash_algo", image.osHashAlgo().orElse(null));
        v.put("os_hash_value", image.osHashValue().orElse(null));
        v.put("id", image.id());
        v.put("created_at", isoTime(image.createdAt()));
        v.put("updated_at", isoTime(image.updatedAt()));
        if (showLocations) {
            v.put("locations", image.locations().stream().map(this::location).toList());
        }
        if (showDirectUrl && !image.locations().isEmpty()) {
            v.put("direct_url", image.locations().get(0).key());
        }
        v.put("tags", new ArrayList<>(new TreeSet<>(image.tags())));
        v.put("self", "/v2/images/" + image.id());
        v.put("file", "/v2/images/" + image.id() + "/file");
        v.put("schema", "/v2/schemas/image");
        if (multiStore && !image.locations().isEmpty()) {
            v.put("stores", String.join(",", image.locations().stream().map(ImageLocation::storeId).toList()));
        }
        return v;
    }

    /** A location as Glance shows it: url and metadata (with its store in multi-store), never its status. */
    public Map<String, Object> location(ImageLocation l) {
        Map<String, Object> metadata = new LinkedHashMap<>(l.metadata());
        if (multiStore) {
            metadata.put("store", l.storeId());
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("url", l.key());
        v.put("metadata", metadata);
        return v;
    }

    public static String isoTime(Instant t) {
        return ISO.format(t);
    }
}
