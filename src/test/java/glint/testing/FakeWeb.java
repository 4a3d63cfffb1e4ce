package glint.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A web server on loopback for http locations: {@code GET} and {@code HEAD} of the bytes {@link #put} at a path
 * (single {@code Range: bytes=a-b} answered 206 unless {@link #ignoreRanges}), redirects {@link #redirect}ed, 404 for
 * anything else. It records every request ({@code METHOD path}).
 */
public final class FakeWeb implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile boolean ignoreRanges;

    private FakeWeb(HttpServer server) {
        this.server = server;
    }

    public static FakeWeb start() {
        try {
            FakeWeb web = new FakeWeb(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
            web.server.createContext("/", web::answer);
            web.server.start();
            return web;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The URL of {@code path} on this server. */
    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** Serves {@code data} at {@code path}; returns its URL. */
    public String put(String path, byte[] data) {
        files.put(path, data);
        return url(path);
    }

    /** {@code from} answers 302 to {@code to} (a URL or a path). */
    public void redirect(String from, String to) {
        redirects.put(from, to);
    }

    /** Answer whole bodies (200) to Range requests, as some servers do. */
    public void ignoreRanges() {
        ignoreRanges = true;
    }

    public List<String> requests() {
        return List.copyOf(requests);
    }

    private void answer(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        requests.add(ex.getRequestMethod() + " " + path);
        try (ex) {
            String to = redirects.get(path);
            if (to != null) {
                ex.getResponseHeaders().set("Location", to);
                ex.sendResponseHeaders(302, -1);
                return;
            }
            byte[] data = files.get(path);
            if (data == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            int from = 0;
            int to2 = data.length;
            int status = 200;
            String range = ex.getRequestHeaders().getFirst("Range");
            Matcher m = range == null || ignoreRanges ? null : RANGE.matcher(range);
            if (m != null && m.matches()) {
                from = Integer.parseInt(m.group(1));
                to2 = Math.min(data.length, Integer.parseInt(m.group(2)) + 1);
                if (from >= data.length) {
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (to2 - 1) + "/" + data.length);
            }
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.getResponseHeaders().set("Content-Length", String.valueOf(to2 - from));
            ex.sendResponseHeaders(status, head ? -1 : to2 - from);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(data, from, to2 - from);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
