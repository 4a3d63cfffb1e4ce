package glint.image.imports;

/**
 * A failure that ends an import task with this message as the task's message (no exception class in front); an
 * {@link ImportStep} throws it with Glance's message for the same failure.
 */
public class ImportFailed extends RuntimeException {
    public ImportFailed(String message) {
        super(message);
    }
}
