package glint.image.imports;

import glint.image.PendingData;
import java.io.IOException;
import java.util.Optional;

/**
 * glance-direct: the data {@code PUT /v2/images/{id}/stage} left in staging, on this node or, with shared staging,
 * through any node.
 */
public final class StagedSource implements ImportSource {
    private final ImportBlobs blobs;

    public StagedSource(ImportBlobs blobs) {
        this.blobs = blobs;
    }

    @Override
    public Data acquire(ImportPlan plan) throws IOException {
        PendingData staged = blobs.stagedFor(plan.imageId())
                .orElseThrow(() -> new ImportFailed("Image " + plan.imageId() + " has no staged data on this node"));
        long size;
        try {
            size = blobs.staging().size(staged.location());
        } catch (IOException e) {
            blobs.remove(staged); // as a failed task removes what it staged
            throw e;
        }
        return new Data(blobs.staging(), staged.location(), size, Optional.of(staged));
    }
}
