package glint.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import glint.error.ErrorKind;
import glint.error.GlintException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The only place where an {@link ErrorKind} becomes an HTTP status and a body. Bodies are byte-compatible with
 * Glance's, which raises webob exceptions with {@code explanation=msg}: webob renders them as HTML, JSON or plain
 * text by the request's {@code Accept} (webob/exc.py {@code generate_response}).
 */
public final class ErrorResponder {
    private final ObjectMapper json;

    public ErrorResponder(ObjectMapper json) {
        this.json = json;
    }

    /** A status, a body and its type ({@code null} when there is no body to type). */
    public record Rendered(int status, String contentType, byte[] body) {}

    public static int status(ErrorKind kind) {
        return switch (kind) {
            case BAD_REQUEST -> 400;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case CONFLICT -> 409;
            case GONE -> 410;
            case TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case RANGE_NOT_SATISFIABLE -> 416;
            case NO_DATA -> 204;
            case INTERNAL -> 500;
            case UNAVAILABLE -> 503;
        };
    }

    static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 413 -> "Request Entity Too Large";
            case 415 -> "Unsupported Media Type";
            case 416 -> "Request Range Not Satisfiable";
            case 503 -> "Service Unavailable";
            default -> "Internal Server Error";
        };
    }

    /** {@link #render(GlintException, String, String, String)} for a request without a body. */
    public Rendered render(GlintException e, String accept, String path) {
        return render(e, accept, path, null);
    }

    /**
     * The error as Glance's webob renders it for a request with this {@code Accept}, path and {@code Content-Type}.
     * A 415's message is webob's {@code detail}: {@code HTTPUnsupportedMediaType} has a body template of its own,
     * "The request media type ${CONTENT_TYPE} is not supported by this server.", then the detail (Glance passes
     * {@code detail=}: image_data.py upload and stage, images.py PATCH).
     */
    public Rendered render(GlintException e, String accept, String path, String contentType) {
        int status = status(e.kind());
        if (status == 204) {
            // webob's HTTPNoContent has an empty body, and no Content-Type
            return new Rendered(204, null, new byte[0]);
        }
        if (e.kind() == ErrorKind.UNAUTHORIZED) {
            return keystoneUnauthorized(e.getMessage());
        }
        if (path.startsWith("/identity")) {
            // Keystone's own error body
            return new Rendered(status, "application/json", jsonBytes(Map.of("error",
                    ordered("code", status, "message", e.getMessage() == null ? "" : e.getMessage(), "title", title(status)))));
        }
        String statusLine = status + " " + title(status);
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (e.kind() == ErrorKind.UNSUPPORTED_MEDIA_TYPE) {
            return unsupportedMediaType(statusLine, contentType == null ? "" : contentType, message, accept);
        }
        String body = message + "<br /><br />\n\n\n"; // webob body_template with an empty detail and comment
        return switch (AcceptHeader.preferred(accept, "text/html", "application/json")) {
            case "application/json" -> new Rendered(status, "application/json", jsonBytes(
                    ordered("message", body, "code", statusLine, "title", title(status))));
            case "text/html" -> new Rendered(status, "text/html; charset=UTF-8", ("<html>\n <head>\n  <title>" + statusLine
                    + "</title>\n </head>\n <body>\n  <h1>" + statusLine + "</h1>\n  " + htmlEscape(message)
                    + "<br /><br />\n\n\n\n </body>\n</html>").getBytes(StandardCharsets.UTF_8));
            default -> new Rendered(status, "text/plain; charset=UTF-8",
                    (statusLine + "\n\n" + message + "\n\n   ").getBytes(StandardCharsets.UTF_8));
        };
    }

    /** webob's HTTPUnsupportedMediaType: its own body template, the plain form with the tags stripped. */
    private Rendered unsupportedMediaType(String statusLine, String contentType, String detail, String accept) {
        String explanation = "The request media type " + contentType + " is not supported by this server.";
        return switch (AcceptHeader.preferred(accept, "text/html", "application/json")) {
            case "application/json" -> new Rendered(415, "application/json", jsonBytes(
                    ordered("message", explanation + "\n<br /><br />\n" + detail, "code", statusLine, "title", title(415))));
            case "text/html" -> new Rendered(415, "text/html; charset=UTF-8", ("<html>\n <head>\n  <title>" + statusLine
                    + "</title>\n </head>\n <body>\n  <h1>" + statusLine + "</h1>\n  " + htmlEscape(explanation)
                    + "\n<br /><br />\n" + htmlEscape(detail) + "\n </body>\n</html>").getBytes(StandardCharsets.UTF_8));
            default -> new Rendered(415, "text/plain; charset=UTF-8",
                    (statusLine + "\n\n" + explanation + " \n\n " + detail).getBytes(StandardCharsets.UTF_8));
        };
    }

    /** keystonemiddleware's auth_token rejection body (auth_token/__init__.py). */
    public Rendered keystoneUnauthorized(String message) {
        Map<String, Object> error = ordered("code", 401, "title", "Unauthorized",
                "message", message == null ? "The request you have made requires authentication." : message);
        return new Rendered(401, "application/json", jsonBytes(Map.of("error", error)));
    }

    private byte[] jsonBytes(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put((String) kv[i], kv[i + 1]);
        }
        return map;
    }

    private static String htmlEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
