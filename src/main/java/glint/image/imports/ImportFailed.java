package glint.image.imports;

/** A failure that ends an import task with this message as the task's message (no exception class in front). */
class ImportFailed extends RuntimeException {
    ImportFailed(String message) {
        super(message);
    }
}
