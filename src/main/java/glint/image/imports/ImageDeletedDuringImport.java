package glint.image.imports;

/**
 * The image was deleted while its import ran: the task fails as a whole, even with
 * {@code all_stores_must_succeed} false, since there is no image left to import to.
 */
final class ImageDeletedDuringImport extends ImportFailed {
    ImageDeletedDuringImport() {
        super("Image has been deleted, aborting import.");
    }
}
