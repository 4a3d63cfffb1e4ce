package glint.http;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Jetty 12 (core handlers, no servlets) listening on one address, serving one {@link Router}. */
public final class HttpServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    public HttpServer(String host, int port, Router router) {
        QueuedThreadPool threads = new QueuedThreadPool(400, 8);
        threads.setName("http");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        http.setOutputBufferSize(64 * 1024);
        HttpConnectionFactory http1 = new HttpConnectionFactory(http);
        // Image uploads arrive as request content: bigger reads mean fewer, cheaper hand-offs per gigabyte.
        http1.setInputBufferSize(256 * 1024);
        connector = new ServerConnector(server, http1);
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(300_000);
        server.addConnector(connector);
        server.setHandler(router);
        server.setStopTimeout(5_000);
    }

    public void start() throws Exception {
        server.start();
    }

    /** The port actually bound (useful when configured with 0). */
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
