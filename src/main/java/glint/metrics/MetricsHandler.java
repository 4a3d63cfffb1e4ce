package glint.metrics;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET /metrics}, served on a listener of its own ({@code [metrics] bind_host}, {@code bind_port}; loopback by
 * default), apart from the API: scrapers need no token, and the API's port shows nothing of it. Nothing else is
 * served there (404).
 */
public final class MetricsHandler extends Handler.Abstract {
    public static final String PATH = "/metrics";

    private final Metrics metrics;

    public MetricsHandler(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!Request.getPathInContext(request).equals(PATH)) {
            Response.writeError(request, response, callback, 404);
            return true;
        }
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            Response.writeError(request, response, callback, 405);
            return true;
        }
        Metrics.Scrape scrape = metrics.scrape(request.getHeaders().get(HttpHeader.ACCEPT));
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, scrape.contentType());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, scrape.body().length);
        response.write(true, ByteBuffer.wrap(scrape.body()), callback);
        return true;
    }
}
