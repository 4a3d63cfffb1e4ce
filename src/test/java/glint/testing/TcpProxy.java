package glint.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of a real server that a test can take down and bring back: while closed it accepts
 * and at once closes every connection (as a server that is down resets them) and cuts the ones it was carrying;
 * while open it pipes bytes both ways. The port stays the same, so a client configured with it sees the server go
 * and come back. It can also answer every new connection with an HTTP 503, as a load balancer whose backend is down
 * ({@link #unavailable()}) or for the next few connections only, as a service failing for a moment
 * ({@link #unavailableFor(int)}), or accept connections and never answer, as a hung server ({@link #stall()}).
 * {@link #turnedAway()} counts the connections not carried to the server. A test may also watch, and hold back, the
 * HTTP requests it carries ({@link #onRequest}).
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> carried = new CopyOnWriteArrayList<>();
    private volatile boolean open;
    private volatile boolean unavailable;
    private volatile boolean stalled;
    private volatile java.util.function.Consumer<HttpRequestHeads.Head> requests;
    private final java.util.concurrent.atomic.AtomicInteger turnedAway = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger unavailableLeft = new java.util.concurrent.atomic.AtomicInteger();

    public TcpProxy(String targetHost, int targetPort, boolean open) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.open = open;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Carries connections from now on. */
    public void open() {
        unavailable = false;
        stalled = false;
        open = true;
    }

    /** Answers every new connection with {@code HTTP/1.1 503 Service Unavailable} and closes it. */
    public void unavailable() {
        shut();
        unavailable = true;
    }

    /**
     * Cuts the connections it carries, answers the next {@code connections} new ones with 503 (once their request's
     * head has arrived, so that the client reads the answer), then carries again.
     */
    public void unavailableFor(int connections) {
        shut();
        unavailableLeft.set(connections);
        open = true;
    }

    /** Accepts new connections and neither answers nor closes them (until {@link #shut} or {@link #close}). */
    public void stall() {
        shut();
        stalled = true;
    }

    /**
     * Tells {@code observer} the head of each HTTP request of the connections carried from now on, on the thread that
     * carries it, before the server gets it: an observer that waits holds that request (and its connection) back.
     */
    public void onRequest(java.util.function.Consumer<HttpRequestHeads.Head> observer) {
        requests = observer;
    }

    /** Connections refused, answered 503 or stalled so far. */
    public int turnedAway() {
        return turnedAway.get();
    }

    /** Refuses connections from now on and cuts those it carries. */
    public void shut() {
        open = false;
        unavailable = false;
        stalled = false;
        carried.forEach(TcpProxy::closeQuietly);
        carried.clear();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (open && unavailableLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    turnedAway.incrementAndGet();
                    answerUnavailable(client);
                    continue;
                }
                if (!open) {
                    turnedAway.incrementAndGet();
                    if (stalled) {
                        carried.add(client); // held open, never read: cut by shut() or close()
                        continue;
                    }
                    if (unavailable) {
                        respond503(client);
                    }
                    closeQuietly(client);
                    continue;
                }
                Socket server = new Socket(targetHost, targetPort);
                carried.add(client);
                carried.add(server);
                java.util.function.Consumer<HttpRequestHeads.Head> observer = requests;
                pipe(client, server, observer == null ? null : new HttpRequestHeads(observer));
                pipe(server, client, null);
            } catch (IOException e) {
                // listener closed, or the target refused: the client's connection ends
            }
        }
    }

    private static void respond503(Socket client) throws IOException {
        client.getOutputStream().write(("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** Reads the request's head (not its body: a client sending {@code Expect: 100-continue} waits), then 503. */
    private static void answerUnavailable(Socket client) {
        Thread t = new Thread(() -> {
            try {
                client.setSoTimeout(10_000);
                InputStream in = client.getInputStream();
                int matched = 0;
                for (int b, read = 0; matched < 4 && read < 65_536 && (b = in.read()) >= 0; read++) {
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                respond503(client);
            } catch (IOException e) {
                // the client went away
            } finally {
                closeQuietly(client);
            }
        }, "tcp-proxy-503");
        t.setDaemon(true);
        t.start();
    }

    /** Copies {@code from} to {@code to}, showing the bytes to {@code heads} (if any) before they go on. */
    private void pipe(Socket from, Socket to, HttpRequestHeads heads) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (heads != null) {
                        heads.feed(buf, n);
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // cut
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() {
        shut();
        try {
            listener.close();
        } catch (IOException e) {
            // closed
        }
    }
}
