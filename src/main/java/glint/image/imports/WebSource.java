package glint.image.imports;

import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * web-download's source: a GET with the JDK's HTTP client, streamed. Redirects are followed by hand (at most
 * {@value #MAX_REDIRECTS}), each target checked by the {@link UriFilter} again, so a redirect cannot lead to a
 * host the filter refuses (the 2026 redirect bypass, bug 2138602). No proxy is used.
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
        URI target = filter.check(uri);
        for (int hop = 0; ; hop++) {
            filter.resolve(target);
            HttpResponse<InputStream> response;
            try {
                response = http.send(HttpRequest.newBuilder(target).timeout(timeout).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
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
}
