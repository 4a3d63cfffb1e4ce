package glint.error;

/**
 * What went wrong, independent of HTTP. {@code http.ErrorResponder} is the one place that maps a kind to a status;
 * {@link #serverFault()} says whose fault it is.
 */
public enum ErrorKind {
    BAD_REQUEST,
    UNAUTHORIZED,
    FORBIDDEN,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    CONFLICT,
    GONE,
    TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    RANGE_NOT_SATISFIABLE,
    /**
     * The image is active but its store has no data for it. Glance answers such a download with webob's
     * {@code HTTPNoContent} (204, no body): {@code glance_store.NotFound} caught in image_data.py
     * {@code ResponseSerializer.download}.
     */
    NO_DATA,
    INTERNAL,
    /** A dependency (the database, Keystone) cannot be reached for now; worth retrying. */
    UNAVAILABLE;

    /** Whether the server, not the client, is to blame: such errors are logged at ERROR. */
    public boolean serverFault() {
        return this == NO_DATA || this == INTERNAL || this == UNAVAILABLE;
    }
}
