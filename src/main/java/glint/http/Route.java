package glint.http;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One line of the route table: a method, a path template such as {@code /v2/images/{image_id}/tags/{tag}}, a handler. */
public record Route(String method, String template, Handler handler, Access access) {

    /** Whether a route needs an authenticated caller. */
    public enum Access {
        /** A valid token is required: 401 without one. */
        AUTHENTICATED,
        /** No token is looked at. */
        PUBLIC,
        /** Anyone; a valid token, if sent, names the caller (the healthcheck shows admins more). Never 401. */
        OPTIONAL
    }

    @FunctionalInterface
    public interface Handler {
        void handle(Exchange exchange) throws Exception;
    }

    List<String> segments() {
        return split(template);
    }

    /** Path parameters when {@code path} fits the template; path parameter values are percent-decoded. */
    Optional<Map<String, String>> match(List<String> pathSegments) {
        List<String> mine = segments();
        if (mine.size() != pathSegments.size()) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < mine.size(); i++) {
            String t = mine.get(i);
            String p = pathSegments.get(i);
            if (t.startsWith("{") && t.endsWith("}")) {
                if (p.isEmpty()) {
                    return Optional.empty();
                }
                params.put(t.substring(1, t.length() - 1), p);
            } else if (!t.equals(p)) {
                return Optional.empty();
            }
        }
        return Optional.of(params);
    }

    /**
     * Path segments. A trailing slash is an empty last segment, so {@code /v2/images/} matches no route: Glance answers
     * 404 there (and {@code DELETE /v2/images/{id}/} must not delete the image).
     */
    static List<String> split(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("/", -1));
    }
}
