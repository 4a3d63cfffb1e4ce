package glint.image.imports;

import com.fasterxml.jackson.databind.JsonNode;
import glint.auth.RequestContext;
import glint.image.Image;
import glint.policy.PropertyProtections;
import glint.policy.PropertyProtections.Operation;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * glance-download's metadata step (Glance's {@code _ImportMetadata}, glance/async_/flows/api_image_import.py): before
 * any data, the remote image's {@code disk_format} and {@code container_format}, and those of its extra properties
 * whose names start with one of {@code [glance_download_properties] extra_properties}, are set on the image (so the
 * data is inspected against the remote disk format). When the task fails, {@link #revert} puts back what they
 * replaced and removes what was not there, as Glance's revert does; other changes made meanwhile stay.
 *
 * <p>Unlike Glance, only the remote image's extra properties are candidates: its base attributes ({@code os_hidden},
 * {@code os_hash_algo}, … which a prefix such as {@code os_} would match) and the reserved {@code os_glance_*} are
 * never copied. As the requester's own writes, the copy is subject to the property protections (a refused property
 * fails the task with Glance's "Attribute '…' is reserved.") and to {@code image_property_quota}.
 */
public final class GlanceDownloadMetadata {
    /** What the image had before the copy: its formats, and the value (or none) of every property that was set. */
    record Undo(Optional<String> diskFormat, Optional<String> containerFormat, Map<String, Optional<String>> properties) {}

    /** The base attributes of an image in the Images API v2 (and its links), never copied as properties. */
    private static final Set<String> BASE = Set.of("id", "name", "status", "visibility", "protected", "os_hidden",
            "checksum", "os_hash_algo", "os_hash_value", "owner", "size", "virtual_size", "min_ram", "min_disk",
            "created_at", "updated_at", "tags", "self", "file", "schema", "disk_format", "container_format", "locations",
            "direct_url", "stores", "location", "deleted", "deleted_at");

    private final ImportImages images;
    private final List<String> prefixes;
    private final PropertyProtections protections;
    private final int propertyQuota;
    private final List<String> diskFormats;
    private final List<String> containerFormats;

    /**
     * @param prefixes {@code [glance_download_properties] extra_properties}
     * @param diskFormats, containerFormats the formats this server accepts ({@code [image_format]})
     */
    public GlanceDownloadMetadata(ImportImages images, List<String> prefixes, PropertyProtections protections, int propertyQuota,
                           List<String> diskFormats, List<String> containerFormats) {
        this.images = images;
        this.prefixes = List.copyOf(prefixes);
        this.protections = protections;
        this.propertyQuota = propertyQuota;
        this.diskFormats = List.copyOf(diskFormats);
        this.containerFormats = List.copyOf(containerFormats);
    }

    /** Sets the remote image's formats and chosen properties on the image; returns what they replaced. */
    Undo copy(ImportPlan plan, JsonNode remote) {
        String disk = format(remote, "disk_format", diskFormats);
        String container = format(remote, "container_format", containerFormats);
        Map<String, String> copied = new LinkedHashMap<>();
        remote.fields().forEachRemaining(field -> {
            String name = field.getKey();
            if (field.getValue().isTextual() && !BASE.contains(name) && !name.startsWith(ImportProperties.RESERVED_PREFIX)
                    && prefixes.stream().anyMatch(name::startsWith)) {
                copied.put(name, field.getValue().asText());
            }
        });
        AtomicReference<Undo> undo = new AtomicReference<>();
        images.save(plan.imageId(), cur -> {
            Map<String, String> props = new HashMap<>(cur.properties());
            Map<String, Optional<String>> before = new LinkedHashMap<>();
            copied.forEach((name, value) -> {
                checkProtection(name, props.containsKey(name) ? Operation.UPDATE : Operation.CREATE, plan.requester());
                before.put(name, Optional.ofNullable(props.put(name, value)));
            });
            if (props.size() > propertyQuota && props.size() > cur.properties().size()) {
                throw new ImportFailed("The limit has been exceeded on the number of allowed image properties. Attempted: "
                        + props.size() + ", Maximum: " + propertyQuota);
            }
            undo.set(new Undo(cur.diskFormat(), cur.containerFormat(), before));
            return cur.toBuilder().diskFormat(Optional.of(disk)).containerFormat(Optional.of(container)).properties(props).build();
        });
        return undo.get();
    }

    /** Puts back what {@link #copy} replaced, if the image is still there. */
    void revert(String imageId, Undo undo) {
        images.saveIf(imageId, null, cur -> {
            Map<String, String> props = new HashMap<>(cur.properties());
            undo.properties().forEach((name, old) -> {
                if (old.isPresent()) {
                    props.put(name, old.get());
                } else {
                    props.remove(name);
                }
            });
            return cur.toBuilder().diskFormat(undo.diskFormat()).containerFormat(undo.containerFormat()).properties(props).build();
        });
    }

    private void checkProtection(String name, Operation op, RequestContext requester) {
        if (!protections.allows(name, op, requester)) {
            throw new ImportFailed("Attribute '" + name + "' is reserved.");
        }
    }

    private static String format(JsonNode remote, String attribute, List<String> accepted) {
        JsonNode value = remote.path(attribute);
        if (!value.isTextual() || !accepted.contains(value.asText())) {
            throw new ImportFailed("The remote image's " + attribute + " " + value + " is not one this server accepts ("
                    + String.join(", ", accepted) + ")");
        }
        return value.asText();
    }
}
