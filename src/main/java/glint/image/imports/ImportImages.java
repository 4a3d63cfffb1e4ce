package glint.image.imports;

import glint.image.Image;
import glint.image.ImageEvents;
import glint.image.ImageRepository;
import glint.image.ImageRewrite;
import glint.image.ImageStatus;
import glint.image.PendingData;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import glint.quota.CountLimit;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The image as an import reads and writes it. Every change is a read-modify-write through {@link ImageRewrite}
 * (a PATCH or tag written meanwhile is kept), stamped with {@code updated_at}; {@link #current} and
 * {@link #save} end the task with {@link ImageDeletedDuringImport} when the image is gone.
 */
public final class ImportImages {
    private static final int ATTEMPTS = 5;

    private final ImageRepository images;
    private final Clock clock;
    private final ImageEvents events;

    /** @param events the image notifications the import sends, each after the write it tells of */
    public ImportImages(ImageRepository images, Clock clock, ImageEvents events) {
        this.images = images;
        this.clock = clock;
        this.events = events;
    }

    ImageEvents events() {
        return events;
    }

    Optional<Image> find(String id) {
        return images.find(id);
    }

    Image current(String id) {
        return images.find(id).orElseThrow(ImageDeletedDuringImport::new);
    }

    /** One compare-and-set from the caller's read, no retry (a request that lost the race answers 409). */
    boolean update(Image next, ImageStatus expected) {
        return images.update(next, expected);
    }

    /**
     * {@link #update(Image, ImageStatus)} within a count quota, in the same transaction: empty when the image changed
     * meanwhile; an outcome not within the limit wrote nothing.
     */
    Optional<CountLimit.Outcome> update(Image next, ImageStatus expected, CountLimit limit) {
        return images.update(next, expected, limit);
    }

    /** Changes the image if it is still there (with {@code expected} status, or any when null). */
    Optional<Image> saveIf(String id, ImageStatus expected, UnaryOperator<Image> change) {
        return rewrite(id, expected, change, (current, next) -> images.update(next, current.status()));
    }

    /** Changes the image and tells it ({@code image.update}); {@link ImageDeletedDuringImport} when it is gone. */
    Image save(String id, UnaryOperator<Image> change) {
        Image saved = saveIf(id, null, change).orElseThrow(ImageDeletedDuringImport::new);
        events.updated(saved);
        return saved;
    }

    /** Saves the image with new data and drops its journal entry {@code pendingId} in the same transaction. */
    Optional<Image> activate(String id, UnaryOperator<Image> change, String pendingId) {
        return rewrite(id, null, change, (current, next) -> images.activate(next, current.status(), pendingId));
    }

    /** One attempt of {@link ImageRepository#detach}, for {@link #rewrite}'s save. */
    boolean detach(Image current, Image next, List<PendingData> released) {
        return images.detach(next, current.status(), released);
    }

    /** {@link ImageRewrite#apply} with {@code updated_at} set on what {@code change} returns. */
    Optional<Image> rewrite(String id, ImageStatus expected, UnaryOperator<Image> change, ImageRewrite.Save save) {
        return ImageRewrite.apply(images, id, expected, i -> change.apply(i).toBuilder().updatedAt(now()).build(), save,
                ATTEMPTS);
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
