package glint.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.auth.RequestContext;
import glint.error.GlintException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Fields;

/**
 * One request and its response, seen by an API handler. Handlers are written in blocking style: they read, decide,
 * and call exactly one {@code send*} (or stream with {@link #write}); the router completes the exchange afterwards.
 */
public final class Exchange {
    private final Request request;
    /** Largest JSON document accepted on metadata calls; image data never passes through here. */
    private final int maxJsonBytes;
    private final Response response;
    private final ObjectMapper json;
    private final String requestId;
    private final ResponseRate responseRate;
    private Map<String, String> pathParams = Map.of();
    private Fields query;
    private RequestContext context;
    private String route = Router.UNMATCHED;

    Exchange(Request request, Response response, ObjectMapper json, String requestId, int maxJsonBytes, long minDataRate) {
        this.request = request;
        this.responseRate = new ResponseRate(request, minDataRate);
        this.maxJsonBytes = maxJsonBytes;
        this.response = response;
        this.json = json;
        this.requestId = requestId;
    }

    public String method() {
        return request.getMethod();
    }

    public String path() {
        return Request.getPathInContext(request);
    }

    public String requestId() {
        return requestId;
    }

    public RequestContext context() {
        return context;
    }

    void context(RequestContext context) {
        this.context = context;
    }

    /** The template of the route the path matched ({@code /v2/images/{image_id}}), or {@link Router#UNMATCHED}. */
    public String route() {
        return route;
    }

    void route(String template) {
        this.route = template;
    }

    /** The client's address, as the connection says (no proxy header is believed). */
    public java.net.InetAddress remoteAddress() {
        return request.getConnectionMetaData().getRemoteSocketAddress() instanceof java.net.InetSocketAddress a
                ? a.getAddress() : null;
    }

    /** The port the request came in on (oslo's {@code server_port}). */
    public int localPort() {
        return Request.getLocalPort(request);
    }

    void pathParams(Map<String, String> params) {
        this.pathParams = Map.copyOf(params);
    }

    public String pathParam(String name) {
        return pathParams.get(name);
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(request.getHeaders().get(name));
    }

    public long contentLength() {
        return request.getHeaders().getLongField("Content-Length");
    }

    public boolean hasBody() {
        return contentLength() > 0 || request.getHeaders().contains("Transfer-Encoding");
    }

    /** The raw query string, or empty. */
    public String rawQuery() {
        String q = request.getHttpURI().getQuery();
        return q == null ? "" : q;
    }

    public Fields query() {
        if (query == null) {
            try {
                query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
            } catch (RuntimeException e) {
                throw GlintException.badRequest("Invalid query string");
            }
        }
        return query;
    }

    public List<String> queryAll(String name) {
        Fields.Field f = query().get(name);
        return f == null ? List.of() : f.getValues();
    }

    public Optional<String> queryParam(String name) {
        List<String> all = queryAll(name);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** The body as JSON; malformed or oversized → 400 as Glance's JSONRequestDeserializer says. */
    public JsonNode readJson() {
        byte[] bytes = readBody(maxJsonBytes);
        if (bytes.length == 0) {
            throw GlintException.badRequest("Malformed JSON in request body.");
        }
        try {
            return json.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw GlintException.badRequest("Malformed JSON in request body.");
        } catch (IOException e) {
            throw GlintException.badRequest("Malformed JSON in request body.");
        }
    }

    /**
     * The whole body, at most {@code limit} bytes: a longer one is 413 as oslo.middleware's sizelimit answers, refused
     * before a byte is read when its {@code Content-Length} says so, else once {@code limit + 1} bytes came (memory is
     * bounded by the limit, never by what the client sends). Glance mounts no such limit and reads any body whole.
     */
    public byte[] readBody(int limit) {
        if (contentLength() > limit) {
            throw GlintException.tooLarge("Request is too large.");
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw GlintException.tooLarge("Request is too large.");
            }
            return bytes;
        } catch (IOException e) {
            throw GlintException.badRequest("Could not read the request body");
        }
    }

    /** The request body as a Jetty content source, for streaming image data without copies. */
    public Content.Source bodySource() {
        return request;
    }

    /** The request body as a stream whose read failures are {@link glint.data.ClientBodyException}s. */
    public InputStream bodyStream() {
        return new RequestBodyStream(request);
    }

    public Request jettyRequest() {
        return request;
    }

    public void setHeader(String name, String value) {
        response.getHeaders().put(name, value);
    }

    public void addHeader(String name, String value) {
        response.getHeaders().add(name, value);
    }

    /**
     * Reads and drops the rest of the request body while it keeps coming: for at most {@code within}, and until
     * nothing has come for {@code pause}; whether it ended. After an error answered before the body was read, a client
     * that sends its whole body before it reads an answer (Python's http.client under the OpenStack clients, the
     * JDK's client) then finds the answer, where a connection closed on unread data is reset and the answer in flight
     * lost; and the connection stays usable. A client that waits for the answer before it sends (as with
     * {@code Expect: 100-continue}, which is never asked for here) gets it after {@code pause}. eventlet, under
     * Glance, discards the rest of the body too, without a bound. Called before the answer: Jetty decides whether
     * the connection lives on when the answer ends.
     */
    boolean discardBody(Duration within, Duration pause) {
        if (request.getHeaders().contains(HttpHeader.EXPECT, "100-continue")) {
            return request.consumeAvailable(); // reading would ask for the body (100 Continue) only to drop it
        }
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                CompletableFuture<Void> more = new CompletableFuture<>();
                request.demand(() -> more.complete(null));
                try {
                    more.get(pause.toNanos(), TimeUnit.NANOSECONDS);
                } catch (TimeoutException | ExecutionException paused) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                continue;
            }
            if (Content.Chunk.isFailure(chunk)) {
                return false;
            }
            chunk.release();
            if (chunk.isLast()) {
                return true;
            }
        }
        return false;
    }

    public boolean committed() {
        return response.isCommitted();
    }

    /** Forgets the status and headers set so far (the response must not have started), keeping the request id. */
    void resetResponse() {
        response.reset();
        response.getHeaders().put("x-openstack-request-id", requestId);
    }

    public void sendJson(int status, Object body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        send(status, "application/json", bytes);
    }

    public void sendEmpty(int status) {
        response.setStatus(status);
        response.getHeaders().put("Content-Length", 0L);
        write(ByteBuffer.allocate(0), true);
    }

    public void send(int status, String contentType, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put("Content-Type", contentType);
        response.getHeaders().put("Content-Length", body.length);
        write(ByteBuffer.wrap(body), true);
    }

    public void status(int status) {
        response.setStatus(status);
    }

    /**
     * Blocking write of a buffer to the client; the buffer may be direct or file-mapped (no copy is made). A client
     * reading slower than the minimum data rate has its connection closed ({@link ResponseRate}).
     */
    public void write(ByteBuffer buffer, boolean last) {
        ResponseRate.Pending callback = new ResponseRate.Pending();
        int length = buffer.remaining();
        response.write(last, buffer, callback);
        try {
            responseRate.await(callback, buffer, length);
        } catch (IOException e) {
            throw new ClientGoneException(e);
        }
    }

    public List<HttpField> requestHeaders() {
        return request.getHeaders().stream().toList();
    }

    /** The client went away while we were writing; nothing more can be said to it. */
    public static final class ClientGoneException extends RuntimeException {
        ClientGoneException(Throwable cause) {
            super(cause);
        }
    }
}
