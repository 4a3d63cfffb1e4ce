package glint.error;

/** What went wrong, independent of HTTP. {@code http.ErrorResponder} is the one place that maps a kind to a status. */
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
    INTERNAL,
    UNAVAILABLE
}
