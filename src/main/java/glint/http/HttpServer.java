package glint.http;

import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Jetty 12 (core handlers, no servlets) listening on one address, serving one handler: the API's {@link Router}. */
public final class HttpServer implements AutoCloseable {
    static final int INPUT_BUFFER = 256 * 1024;
    private static final int API_THREADS = 400;
    private final Server server;
    private final ServerConnector connector;

    /** The API's server. */
    public HttpServer(String host, int port, Router router) {
        this(host, port, router, "http", API_THREADS);
    }

    /**
     * A server of {@code handler} with at most {@code maxThreads} threads named {@code name}-N (the metrics listener:
     * a few).
     */
    public HttpServer(String host, int port, Handler handler, String name, int maxThreads) {
        QueuedThreadPool threads = new QueuedThreadPool(maxThreads, Math.min(8, maxThreads));
        threads.setName(name);
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
        // Jetty sizes acceptors and selectors by the cores; a small pool gets one of each, or it would not start
        connector = maxThreads < API_THREADS ? new ServerConnector(server, 1, 1, http1) : new ServerConnector(server, http1);
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(300_000);
        server.addConnector(connector);
        server.setHandler(handler);
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
