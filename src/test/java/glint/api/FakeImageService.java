package glint.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in remote image service for glance-download tests, on loopback: {@code GET /v2/images/{id}} answers the
 * JSON a test gave, {@code GET /v2/images/{id}/file} the bytes it gave (whatever the JSON says their size is), 404
 * for anything else. It remembers the {@code X-Auth-Token}s it was sent.
 */
final class FakeImageService {
    private record Remote(Map<String, Object> json, byte[] data) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final Map<String, Remote> images = new ConcurrentHashMap<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();

    private FakeImageService(HttpServer server) {
        this.server = server;
    }

    static FakeImageService start() throws IOException {
        FakeImageService fake = new FakeImageService(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
        fake.server.createContext("/v2/images/", fake::answer);
        fake.server.start();
        return fake;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Serves an image with this JSON (its {@code id} added) and these bytes; returns its id. */
    String add(Map<String, Object> json, byte[] data) {
        String id = UUID.randomUUID().toString();
        Map<String, Object> withId = new LinkedHashMap<>(json);
        withId.put("id", id);
        images.put(id, new Remote(withId, data));
        return id;
    }

    List<String> tokens() {
        return List.copyOf(tokens);
    }

    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange ex) throws IOException {
        String token = ex.getRequestHeaders().getFirst("X-Auth-Token");
        if (token != null) {
            tokens.add(token);
        }
        String[] path = ex.getRequestURI().getPath().substring("/v2/images/".length()).split("/");
        Remote remote = images.get(path[0]);
        byte[] body = remote == null ? null : path.length == 1 ? JSON.writeValueAsBytes(remote.json())
                : path.length == 2 && path[1].equals("file") ? remote.data() : null;
        if (body == null) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
