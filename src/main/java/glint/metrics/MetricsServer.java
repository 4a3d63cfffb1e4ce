package glint.metrics;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code GET /metrics} on a listener of its own ({@code [metrics] bind_host}, {@code bind_port}; loopback by
 * default), apart from the API: scrapers need no token, and the API's port shows nothing of it. Nothing else is
 * served there (404).
 */
public final class MetricsServer implements AutoCloseable {
    public static final String PATH = "/metrics";

    private final Server server;
    private final ServerConnector connector;

    public MetricsServer(String host, int port, Metrics metrics) {
        QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName("metrics");
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
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
        });
        server.setStopTimeout(1_000);
    }

    public void start() throws Exception {
        server.start();
    }

    /** The port bound (the configured one, or the one chosen for 0). */
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
