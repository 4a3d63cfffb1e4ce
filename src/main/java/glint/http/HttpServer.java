package glint.http;

import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** Jetty 12 (core handlers, no servlets) listening on one address, serving one handler: the API's {@link Router}. */
public final class HttpServer implements AutoCloseable {
    static final int INPUT_BUFFER = 256 * 1024;
    private static final int API_THREADS = 400;
    private final Server server;
    private final ServerConnector connector;
    /** The API's router; null for a server of another handler. */
    private final Router router;

    /** The API's server, with the default {@link ConnectionLimits}. */
    public HttpServer(String host, int port, Router router) {
        this(host, port, router, ConnectionLimits.DEFAULTS);
    }

    /** The API's server: at most {@value #API_THREADS} threads, whatever the number of connections. */
    public HttpServer(String host, int port, Router router, ConnectionLimits limits) {
        this(host, port, router, "http", API_THREADS, limits);
    }

    /** The routes the API's {@link Router} serves; empty for a server of another handler. */
    public java.util.List<Route> routes() {
        return router == null ? java.util.List.of() : router.routes();
    }

    /**
     * A server of {@code handler} with at most {@code maxThreads} threads named {@code name}-N (the metrics listener:
     * a few).
     */
    public HttpServer(String host, int port, Handler handler, String name, int maxThreads) {
        this(host, port, handler, name, maxThreads, ConnectionLimits.DEFAULTS);
    }

    private HttpServer(String host, int port, Handler handler, String name, int maxThreads, ConnectionLimits limits) {
        this.router = handler instanceof Router r ? r : null;
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
        // eventlet reads up to 64 KiB of request head (Glance's max_header_line per line is the Router's check)
        http.setRequestHeaderSize(limits.maxHeadSize());
        http.setIdleTimeout(limits.idleTimeout().toMillis());
        HttpConnectionFactory http1 = new HttpConnectionFactory(http);
        // Image uploads arrive as request content: bigger reads mean fewer, cheaper hand-offs per gigabyte.
        http1.setInputBufferSize(INPUT_BUFFER);
        // Jetty sizes acceptors and selectors by the cores; a small pool gets one of each, or it would not start
        connector = maxThreads < API_THREADS ? new ServerConnector(server, 1, 1, http1) : new ServerConnector(server, http1);
        connector.setHost(host);
        connector.setPort(port);
        // Idle connections and heads being read hold no thread (Jetty parses on its selectors), only a descriptor and
        // a little memory: bounded by the idle timeout, the connection limit and the head deadline.
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        connector.setAcceptQueueSize(4096); // Glance's backlog
        connector.addBean(new HeadDeadline(server.getScheduler(), limits.headTimeout()));
        server.addConnector(connector);
        NetworkConnectionLimit connections = new NetworkConnectionLimit(limits.maxConnections(), server);
        connections.setEndPointIdleTimeout(limits.pressureIdleTimeout().toMillis());
        server.addBean(connections);
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
