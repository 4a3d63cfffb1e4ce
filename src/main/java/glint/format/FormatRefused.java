package glint.format;

/** Data refused by {@link FormatRules}; the message is Glance's (its {@code InvalidImageData} text). */
public final class FormatRefused extends Exception {
    public FormatRefused(String message) {
        super(message);
    }
}
