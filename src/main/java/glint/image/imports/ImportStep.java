package glint.image.imports;

import java.io.IOException;

/**
 * A step between "the data is in staging" and "copy it to the stores": where Glance runs its
 * {@code image_import_plugins} (image_conversion, image_decompression, inject_image_metadata; glance/async_/flows/
 * plugins), after its {@code _ImportToFS} / {@code _WebDownload} and before {@code _ImportToStore}. Not run for
 * copy-image, as in Glance. {@link ImportTask} runs the configured ones in order ({@code glint.image.imports.plugins}
 * builds them); a step works on the staged data through {@link ImportStaging}, and fails the task with an
 * {@link ImportFailed} (its message is the task's) or any other exception.
 */
@FunctionalInterface
public interface ImportStep {
    /**
     * @return the data the next step and the stores get: {@code staged} itself, or new staged data (a step that
     *     replaces the data journals the new and removes the old)
     */
    ImportSource.Data apply(ImportPlan plan, ImportSource.Data staged) throws IOException;
}
