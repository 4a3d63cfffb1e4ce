package glint.error;

import java.util.Map;

/** The one exception type for anything a client should hear about: a kind plus a message (Glance's explanation). */
public final class GlintException extends RuntimeException {
    /** webob's {@code HTTPServiceUnavailable} explanation. */
    public static final String UNAVAILABLE_MESSAGE = "The server is currently unavailable. Please try again at a later time.";
    public static final String RETRY_AFTER_SECONDS = "5";
    private final ErrorKind kind;
    private final Map<String, String> headers;

    public GlintException(ErrorKind kind, String message) {
        this(kind, message, Map.of(), null);
    }

    public GlintException(ErrorKind kind, String message, Map<String, String> headers, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.headers = Map.copyOf(headers);
    }

    public ErrorKind kind() {
        return kind;
    }

    /** Extra response headers that belong to this error (e.g. {@code Allow}, {@code Accept-Patch}, {@code WWW-Authenticate}). */
    public Map<String, String> headers() {
        return headers;
    }

    public static GlintException badRequest(String message) {
        return new GlintException(ErrorKind.BAD_REQUEST, message);
    }

    public static GlintException forbidden(String message) {
        return new GlintException(ErrorKind.FORBIDDEN, message);
    }

    public static GlintException notFound(String message) {
        return new GlintException(ErrorKind.NOT_FOUND, message);
    }

    public static GlintException conflict(String message) {
        return new GlintException(ErrorKind.CONFLICT, message);
    }

    public static GlintException tooLarge(String message) {
        return new GlintException(ErrorKind.TOO_LARGE, message);
    }

    /**
     * A dependency (the database, a store's service) cannot be reached for now: 503 with webob's
     * {@code HTTPServiceUnavailable} explanation and {@code Retry-After}, which clients and load balancers retry.
     */
    public static GlintException unavailable(Throwable cause) {
        return new GlintException(ErrorKind.UNAVAILABLE, UNAVAILABLE_MESSAGE, Map.of("Retry-After", RETRY_AFTER_SECONDS), cause);
    }
}
