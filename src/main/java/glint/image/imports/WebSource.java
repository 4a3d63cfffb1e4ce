package glint.image.imports;

import glint.auth.RequestIds;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;

/**
 * web-download's source: a GET with the JDK's HTTP client, streamed. Redirects are followed by hand (at most
 * {@value #MAX_REDIRECTS}), each target checked by the {@link UriFilter} again, so a redirect cannot lead to a
 * host the filter refuses (the 2026 redirect bypass, bug 2138602). No proxy is used. Request headers given (the
 * user's token, for glance-download) go only to the origin (scheme, host, port) first asked, never across a
 * redirect to another. The id of the request the task works for goes to every hop as {@code X-OpenStack-Request-ID}
 * (Glance sends none; a Glance at the other end of glance-download logs it as its own request id).
 */
public final class WebSource {
    static final int MAX_REDIRECTS = 5;

    private final UriFilter filter;
    private final HttpClient http;
    private final Duration timeout;

    public WebSource(UriFilter filter, Duration timeout) {
        this.filter = filter;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout)
                .proxy(ProxySelector.of(null)).build();
    }

    public UriFilter filter() {
        return filter;
    }

    /** An open response body and its declared length. Close it. */
    public record Body(InputStream stream, OptionalLong length) {}

    /** @throws UriFilter.Refused for a refused URI or redirect; IOException for a failed or non-2xx response */
    public Body open(String uri) throws IOException, UriFilter.Refused {
        return open(uri, Map.of());
    }

    /** {@link #open(String)} with {@code headers} sent to {@code uri}'s origin. */
    public Body open(String uri, Map<String, String> headers) throws IOException, UriFilter.Refused {
        URI target = filter.check(uri);
        URI origin = target;
        for (int hop = 0; ; hop++) {
            filter.resolve(target);
            HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(timeout).GET();
            if (sameOrigin(origin, target)) {
                headers.forEach(request::header);
            }
            RequestIds.current().ifPresent(id -> request.header(RequestIds.HEADER, id));
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (IllegalArgumentException e) {
                throw new IOException("cannot fetch " + target + ": " + e.getMessage(), e);
            }
            int status = response.statusCode();
            if (status >= 300 && status < 400 && response.headers().firstValue("Location").isPresent()) {
                response.body().close();
                if (hop >= MAX_REDIRECTS) {
                    throw new IOException("too many redirects fetching " + uri);
                }
                target = filter.check(target.resolve(response.headers().firstValue("Location").get()).toString());
                continue;
            }
            if (status != 200) {
                response.body().close();
                throw new IOException("fetching " + target + " answered HTTP " + status);
            }
            OptionalLong length = response.headers().firstValueAsLong("Content-Length");
            return new Body(response.body(), length);
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }
}
