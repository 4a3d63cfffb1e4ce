package glint.image;

import glint.error.GlintException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An image record as the domain sees it. Optional fields are empty where Glance shows {@code null}.
 * {@code properties} are the free-form extra properties; {@code tags} a set. {@code version} is the row version it
 * was read at (every stored change adds one; metadata writes are compare-and-set on it). No HTTP or SQL here.
 */
public record Image(
        String id,
        Optional<String> name,
        ImageStatus status,
        Visibility visibility,
        boolean isProtected,
        boolean osHidden,
        Optional<String> owner,
        Optional<String> diskFormat,
        Optional<String> containerFormat,
        int minDisk,
        int minRam,
        Optional<Long> size,
        Optional<Long> virtualSize,
        Optional<String> checksum,
        Optional<String> osHashAlgo,
        Optional<String> osHashValue,
        Instant createdAt,
        Instant updatedAt,
        Set<String> tags,
        Map<String, String> properties,
        List<ImageLocation> locations,
        long version) {

    /** An image at version 0 (a new one). */
    public Image(String id, Optional<String> name, ImageStatus status, Visibility visibility, boolean isProtected,
                 boolean osHidden, Optional<String> owner, Optional<String> diskFormat, Optional<String> containerFormat,
                 int minDisk, int minRam, Optional<Long> size, Optional<Long> virtualSize, Optional<String> checksum,
                 Optional<String> osHashAlgo, Optional<String> osHashValue, Instant createdAt, Instant updatedAt,
                 Set<String> tags, Map<String, String> properties, List<ImageLocation> locations) {
        this(id, name, status, visibility, isProtected, osHidden, owner, diskFormat, containerFormat, minDisk, minRam,
                size, virtualSize, checksum, osHashAlgo, osHashValue, createdAt, updatedAt, tags, properties, locations, 0);
    }

    public Image {
        tags = Set.copyOf(tags);
        properties = Map.copyOf(properties);
        locations = List.copyOf(locations);
    }

    /**
     * Glance's check before an image gets data (queued or uploading → saving, importing or active): "Properties
     * disk_format, container_format must be set prior to saving data." (400).
     */
    public void requireFormats() {
        List<String> missing = new ArrayList<>();
        if (diskFormat.isEmpty()) {
            missing.add("disk_format");
        }
        if (containerFormat.isEmpty()) {
            missing.add("container_format");
        }
        if (!missing.isEmpty()) {
            throw GlintException.badRequest((missing.size() == 1 ? "Property " : "Properties ")
                    + String.join(", ", missing) + " must be set prior to saving data.");
        }
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Copy-with-changes for the record; the service changes images only through this. */
    public static final class Builder {
        private String id;
        private Optional<String> name;
        private ImageStatus status;
        private Visibility visibility;
        private boolean isProtected;
        private boolean osHidden;
        private Optional<String> owner;
        private Optional<String> diskFormat;
        private Optional<String> containerFormat;
        private int minDisk;
        private int minRam;
        private Optional<Long> size;
        private Optional<Long> virtualSize;
        private Optional<String> checksum;
        private Optional<String> osHashAlgo;
        private Optional<String> osHashValue;
        private Instant createdAt;
        private Instant updatedAt;
        private Set<String> tags;
        private Map<String, String> properties;
        private List<ImageLocation> locations;
        private long version;

        private Builder(Image i) {
            id = i.id; name = i.name; status = i.status; visibility = i.visibility; isProtected = i.isProtected;
            osHidden = i.osHidden; owner = i.owner; diskFormat = i.diskFormat; containerFormat = i.containerFormat;
            minDisk = i.minDisk; minRam = i.minRam; size = i.size; virtualSize = i.virtualSize; checksum = i.checksum;
            osHashAlgo = i.osHashAlgo; osHashValue = i.osHashValue; createdAt = i.createdAt; updatedAt = i.updatedAt;
            tags = i.tags; properties = i.properties; locations = i.locations;
            version = i.version;
        }

        public Builder name(Optional<String> v) { name = v; return this; }
        public Builder status(ImageStatus v) { status = v; return this; }
        public Builder visibility(Visibility v) { visibility = v; return this; }
        public Builder isProtected(boolean v) { isProtected = v; return this; }
        public Builder osHidden(boolean v) { osHidden = v; return this; }
        public Builder owner(Optional<String> v) { owner = v; return this; }
        public Builder diskFormat(Optional<String> v) { diskFormat = v; return this; }
        public Builder containerFormat(Optional<String> v) { containerFormat = v; return this; }
        public Builder minDisk(int v) { minDisk = v; return this; }
        public Builder minRam(int v) { minRam = v; return this; }
        public Builder size(Optional<Long> v) { size = v; return this; }
        public Builder virtualSize(Optional<Long> v) { virtualSize = v; return this; }
        public Builder checksum(Optional<String> v) { checksum = v; return this; }
        public Builder osHashAlgo(Optional<String> v) { osHashAlgo = v; return this; }
        public Builder osHashValue(Optional<String> v) { osHashValue = v; return this; }
        public Builder updatedAt(Instant v) { updatedAt = v; return this; }
        public Builder tags(Set<String> v) { tags = v; return this; }
        public Builder properties(Map<String, String> v) { properties = v; return this; }
        public Builder locations(List<ImageLocation> v) { locations = v; return this; }

        public Image build() {
            return new Image(id, name, status, visibility, isProtected, osHidden, owner, diskFormat, containerFormat,
                    minDisk, minRam, size, virtualSize, checksum, osHashAlgo, osHashValue, createdAt, updatedAt, tags,
                    properties, locations, version);
        }
    }
}
