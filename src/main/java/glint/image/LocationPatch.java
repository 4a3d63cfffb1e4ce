package glint.image;

import glint.auth.RequestContext;
import glint.config.GlintConfig.LocationsConfig;
import glint.data.HashAlgorithm;
import glint.error.GlintException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The JSON-patch operations on {@code /locations} (Glance's {@code _do_add_locations}, {@code _do_replace_locations},
 * {@code _do_remove_locations} in glance/api/v2/images.py and the location proxy of glance/location.py), in Glance's
 * order of checks and with its messages. Each turns the image as read into the image to save; a removed location
 * whose data Glint wrote goes to {@code released}, journalled with the save and removed after it. A queued image
 * given a location turns active (with the location's size and its {@code validation_data}).
 */
public final class LocationPatch {
    private final ImageAccess access;
    private final LocationChecks checks;
    private final LocationsConfig config;
    private final HashAlgorithm hashing;

    public LocationPatch(ImageAccess access, LocationChecks checks, LocationsConfig config, HashAlgorithm hashing) {
        this.access = access;
        this.checks = checks;
        this.config = config;
        this.hashing = hashing;
    }

    /** With {@code show_multiple_locations} off (Glance's default): every operation refused once policy passed. */
    public static LocationPatch invisible(ImageAccess access) {
        return new LocationPatch(access, null, LocationsConfig.DEFAULTS, HashAlgorithm.of(HashAlgorithm.DEFAULT));
    }

    Image apply(RequestContext ctx, Image image, ImageChange change, List<ImageLocation> released) {
        return switch (change.op()) {
            case ADD -> add(ctx, image, change.index(), location(change.value()));
            case REPLACE -> replace(ctx, image, locations(change.value()));
            case REMOVE -> remove(ctx, image, change.index(), released);
        };
    }

    private Image add(RequestContext ctx, Image image, String index, Map<String, Object> value) {
        access.enforce("set_image_location", ctx, image);
        requireVisible("add");
        requireStatus(image, "add", ImageStatus.ACTIVE, ImageStatus.QUEUED);
        Map<String, String> validation = ValidationData.newValues(image, List.of(value), hashing);
        List<ImageLocation> locations = new ArrayList<>(image.locations());
        Integer pos = position(index, locations.size(), true);
        if (pos == null) {
            throw GlintException.badRequest("Invalid position for adding a location.");
        }
        requireQuota(locations.size() + 1);
        LocationChecks.Checked checked = checks.check(url(value), metadata(value));
        if (locations.stream().anyMatch(l -> same(l, checked.location()))) {
            throw duplicate(checked.location().key());
        }
        locations.add(Math.min(pos, locations.size()), checked.location());
        Image.Builder next = image.toBuilder().locations(locations);
        if (image.size().isEmpty()) {
            next.size(Optional.of(checked.size()));
        }
        return activated(image, next, validation);
    }

    private Image replace(RequestContext ctx, Image image, List<Map<String, Object>> value) {
        if (value.isEmpty()) {
            throw GlintException.forbidden("Cannot set locations to empty list.");
        }
        access.enforce("set_image_location", ctx, image);
        requireVisible("update");
        requireStatus(image, "replace", ImageStatus.ACTIVE, ImageStatus.QUEUED);
        Map<String, String> validation = ValidationData.newValues(image, value, hashing);
        requireQuota(value.size());
        List<String> urls = value.stream().map(LocationPatch::url).sorted().toList();
        List<String> current = image.locations().stream().map(ImageLocation::key).sorted().toList();
        List<ImageLocation> locations = new ArrayList<>();
        Image.Builder next = image.toBuilder();
        if (urls.equals(current)) {
            // Glance: the same URLs, so only the metadata changes; nothing is checked again
            List<ImageLocation> old = new ArrayList<>(image.locations());
            for (Map<String, Object> v : value) {
                ImageLocation was = old.stream().filter(l -> l.key().equals(url(v))).findFirst().orElseThrow();
                old.remove(was);
                locations.add(new ImageLocation(was.storeId(), was.key(), "active",
                        LocationChecks.withoutStore(metadata(v)), was.owned()));
            }
        } else {
            if (!image.locations().isEmpty()) {
                throw GlintException.badRequest("Original locations is not empty: " + current);
            }
            for (Map<String, Object> v : value) {
                LocationChecks.Checked checked = checks.check(url(v), metadata(v));
                if (locations.stream().anyMatch(l -> same(l, checked.location()))) {
                    throw duplicate(checked.location().key());
                }
                locations.add(checked.location());
                if (image.size().isEmpty()) {
                    next.size(Optional.of(checked.size()));
                }
            }
        }
        return activated(image, next.locations(locations), validation);
    }

    private Image remove(RequestContext ctx, Image image, String index, List<ImageLocation> released) {
        access.enforce("delete_image_location", ctx, image);
        requireVisible("remove");
        requireStatus(image, "remove", ImageStatus.ACTIVE);
        List<ImageLocation> locations = new ArrayList<>(image.locations());
        if (locations.size() == 1) {
            throw GlintException.forbidden("Cannot remove last location in the image.");
        }
        Integer pos = position(index, locations.size(), false);
        if (pos == null) {
            throw GlintException.badRequest("Invalid position for removing a location.");
        }
        ImageLocation gone = locations.remove((int) pos);
        if (gone.owned()) {
            released.add(gone);
        }
        return image.toBuilder().locations(locations).build();
    }

    /** A queued image given locations turns active, with the validation data's checksum and hash. */
    private static Image activated(Image image, Image.Builder next, Map<String, String> validation) {
        if (image.status() == ImageStatus.QUEUED) {
            image.requireFormats();
            ValidationData.apply(next, validation).status(ImageStatus.ACTIVE);
        }
        return next.build();
    }

    private void requireVisible(String verb) {
        if (!config.showMultipleLocations()) {
            throw GlintException.forbidden("It's not allowed to " + verb + " locations if locations are invisible.");
        }
    }

    private static void requireStatus(Image image, String verb, ImageStatus... allowed) {
        if (!List.of(allowed).contains(image.status())) {
            throw GlintException.conflict("It's not allowed to " + verb + " locations if image status is "
                    + image.status().wire() + ".");
        }
    }

    /** Glance's {@code _enforce_image_location_quota}: 413 past {@code image_location_quota} (negative: no limit). */
    private void requireQuota(int attempted) {
        if (config.quota() >= 0 && attempted > config.quota()) {
            throw GlintException.tooLarge("The limit has been exceeded on the number of allowed image locations. "
                    + "Attempted: " + attempted + ", Maximum: " + config.quota());
        }
    }

    /** Glance's {@code _get_locations_op_pos}: a position, {@code -} for the end, or null when invalid. */
    static Integer position(String index, int size, boolean allowEnd) {
        if (index == null) {
            return null;
        }
        int pos = allowEnd ? size : size - 1;
        if (!index.isEmpty() && index.chars().allMatch(Character::isDigit)) {
            try {
                pos = Integer.parseInt(index);
            } catch (NumberFormatException e) {
                return allowEnd ? Integer.MAX_VALUE : null;
            }
        } else if (!index.equals("-")) {
            return null;
        }
        return allowEnd || pos >= 0 && pos < size ? pos : null;
    }

    /** Glance's {@code _count_duplicated_locations}: the same URL with the same metadata (its store included). */
    private static boolean same(ImageLocation a, ImageLocation b) {
        return a.key().equals(b.key()) && a.storeId().equals(b.storeId()) && Objects.equals(a.metadata(), b.metadata());
    }

    private static GlintException duplicate(String url) {
        return GlintException.badRequest("The location " + url + " already exists");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> location(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> locations(Object value) {
        return (List<Map<String, Object>>) value;
    }

    private static String url(Map<String, Object> location) {
        return (String) location.get("url");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Map<String, Object> location) {
        return (Map<String, Object>) location.get("metadata");
    }
}
