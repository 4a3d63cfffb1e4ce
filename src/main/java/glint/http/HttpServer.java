package glint.http;

import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Jetty 12 (core handlers, no servlets) listening on one address, serving one {@link Router}. */
public final class HttpServer implements AutoCloseable {
    static final int INPUT_BUFFER = 256 * 1024;
    private final Server server;
    private final ServerConnector connector;

    public HttpServer(String host, int port, Router router) {
        QueuedThreadPool threads = new QueuedThreadPool(400, 8);
        threads.setName("http");
        // Uploads hold Jetty's request buffers while their stages write and digest them (RequestBodySource), so the
        // connection takes a fresh buffer for each read: the pool must keep 256 KiB buffers (Jetty's default pools
        // up to 64 KiB), or each read allocates direct memory and the JDK answers with full GCs.
        ArrayByteBufferPool buffers = new ArrayByteBufferPool(0, 4096, INPUT_BUFFER, Integer.MAX_VALUE, -1, 64L << 20);
        server = new Server(threads, null, buffers);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        http.setOutputBufferSize(64 * 1024);
        HttpConnectionFactory http1 = new HttpConnectionFactory(http);
        // Image uploads arrive as request content: bigger reads mean fewer, cheaper hand-offs per gigabyte.
        http1.setInputBufferSize(INPUT_BUFFER);
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
