package glint.image;

import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-modify-write of one image outside a request's policy checks (uploads, imports, recovery): reads the image as
 * it is now, applies a change and saves it with one of {@link ImageRepository}'s compare-and-set writes, which refuse
 * when another write came first; then reads again and retries, so a change made meanwhile (a PATCH, a tag) is kept.
 */
public final class ImageRewrite {
    private static final Logger LOG = LoggerFactory.getLogger(ImageRewrite.class);

    /** Saves {@code next}, computed from {@code current}; false when {@code current} is no longer what is stored. */
    @FunctionalInterface
    public interface Save {
        boolean save(Image current, Image next);
    }

    private ImageRewrite() {}

    /**
     * @param expected the status the image must have for the change to apply; null for any
     * @return the saved image; empty when the image is gone, has another status, or kept changing for
     *     {@code attempts} tries
     */
    public static Optional<Image> apply(ImageRepository images, String id, ImageStatus expected, UnaryOperator<Image> change,
                                        Save save, int attempts) {
        for (int attempt = 0; attempt < attempts; attempt++) {
            Optional<Image> current = images.find(id);
            if (current.isEmpty() || expected != null && current.get().status() != expected) {
                return Optional.empty();
            }
            Image next = change.apply(current.get());
            if (save.save(current.get(), next)) {
                return Optional.of(next);
            }
        }
        LOG.warn("image {} kept changing; not changed", id);
        return Optional.empty();
    }
}
