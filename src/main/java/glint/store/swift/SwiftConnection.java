package glint.store.swift;

import glint.auth.RequestIds;
import glint.store.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests to the store's Swift account over plain HTTP (java.net.http), authenticated by {@link SwiftAuth}. A request
 * whose body can be sent again is tried again with {@link Backoff} when Swift answers 500, 502, 503 or 504 or the
 * connection fails or times out; a 401 makes the store authenticate again and try once more (an expired or revoked
 * token). After the last try the caller gets the last answer, or a {@link StoreUnavailableException}.
 *
 * <p>Every request carries {@value RequestIds#HEADER}, the id of the API request it is made for: the store's
 * connection sends the id of the request the calling thread works for ({@link RequestIds#current()}); a writer's
 * connection ({@link #forRequest}) sends the id it was given when the writer was created, since a writer's bytes are
 * written from the upload pipeline's threads, which work for no request.
 */
final class SwiftConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SwiftConnection.class);
    static final Set<Integer> TEMPORARY = Set.of(500, 502, 503, 504);

    private final SwiftOptions options;
    private final Backoff backoff;
    private final Duration timeout;
    private final ExecutorService executor;
    private final HttpClient http;
    private final SwiftAuth auth;
    private final Supplier<Optional<String>> requestId;

    /** @param timeout how long to wait to connect, and for the headers of an answer once a request is sent */
    SwiftConnection(String storeId, SwiftOptions options, Backoff backoff, Duration timeout, Clock clock) {
        this.options = options;
        this.backoff = backoff;
        this.timeout = timeout;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "store-" + storeId + "-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
        this.auth = new SwiftAuth(options, http, clock);
        this.requestId = RequestIds::current;
    }

    private SwiftConnection(SwiftConnection shared, Optional<String> requestId) {
        this.options = shared.options;
        this.backoff = shared.backoff;
        this.timeout = shared.timeout;
        this.executor = shared.executor;
        this.http = shared.http;
        this.auth = shared.auth;
        this.requestId = () -> requestId;
    }

    /**
     * This connection (its client, threads and token) for the requests of one API request, whichever thread makes
     * them: they carry {@code requestId}, or no request id when empty. Not to be closed: the store's connection is.
     */
    SwiftConnection forRequest(Optional<String> requestId) {
        return new SwiftConnection(this, requestId);
    }

    SwiftOptions options() {
        return options;
    }

    /** {@code container/object} (or {@code container}) in the account, the container quoted (blob names need not be). */
    static String path(String container, String object) {
        return "/" + SwiftStore.quote(container) + (object == null ? "" : "/" + object);
    }

    /**
     * Sends a request whose body (from {@code body}, called once per try) can be sent again; tries again as the class
     * says. The answer is the last one; a body stream of an answer not returned is closed.
     */
    <T> HttpResponse<T> send(String method, String path, Map<String, String> headers,
                             Supplier<HttpRequest.BodyPublisher> body, HttpResponse.BodyHandler<T> handler) throws IOException {
        boolean reauthenticated = false;
        for (int attempt = 1; ; attempt++) {
            SwiftAuth.Session session;
            HttpResponse<T> response;
            try {
                session = auth.session(); // Keystone unreachable or failing is temporary too (503)
                response = http.send(request(session, method, path, headers, body.get()), handler);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(method + " " + path + " interrupted");
            } catch (IOException e) {
                if (e instanceof SwiftException refused) {
                    throw refused; // Keystone refused the credentials: trying again changes nothing
                }
                if (attempt >= backoff.attempts()) {
                    throw new StoreUnavailableException(method + " " + path + " failed after " + attempt + " tries: " + e, e);
                }
                LOG.warn("swift {} {}: {} (try {} of {})", method, path, e.toString(), attempt, backoff.attempts());
                backoff.pause(attempt);
                continue;
            }
            int status = response.statusCode();
            if (status == 401 && !reauthenticated) {
                discard(response);
                auth.refused(session);
                reauthenticated = true;
                attempt--;
                continue;
            }
            if (TEMPORARY.contains(status) && attempt < backoff.attempts()) {
                discard(response);
                LOG.warn("swift {} {}: {} (try {} of {})", method, path, status, attempt, backoff.attempts());
                backoff.pause(attempt);
                continue;
            }
            return response;
        }
    }

    /** {@link #send} without a body. */
    <T> HttpResponse<T> send(String method, String path, Map<String, String> headers, HttpResponse.BodyHandler<T> handler)
            throws IOException {
        return send(method, path, headers, HttpRequest.BodyPublishers::noBody, handler);
    }

    /** {@link #send} without a body, the answer's body read whole (small answers: listings, errors). */
    HttpResponse<byte[]> send(String method, String path, Map<String, String> headers) throws IOException {
        return send(method, path, headers, HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * Starts a request whose body streams from {@code body} once (a segment): tried once; a 401 before it is sent is
     * not possible to tell from a refusal after, so the caller authenticates first ({@link #send} does, and the token
     * is kept two minutes short of its expiry).
     */
    CompletableFuture<HttpResponse<byte[]>> stream(String method, String path, Map<String, String> headers,
                                                   HttpRequest.BodyPublisher body) throws IOException {
        SwiftAuth.Session session = auth.session();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(session.storageUrl() + path))
                .method(method, body)
                .header("X-Auth-Token", session.token())
                .headers(flatten(headers));
        requestId.get().ifPresent(id -> b.header(RequestIds.HEADER, id));
        // no timeout: the body takes as long as the client uploading the image; Swift's own client_timeout (60 s)
        // ends a request whose body stalls
        HttpRequest request = b.build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((r, e) -> {
            if (r != null && r.statusCode() == 401) {
                auth.refused(session);
            }
        });
    }

    private HttpRequest request(SwiftAuth.Session session, String method, String path, Map<String, String> headers,
                                HttpRequest.BodyPublisher body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(session.storageUrl() + path))
                .timeout(timeout)
                .method(method, body)
                .header("X-Auth-Token", session.token());
        requestId.get().ifPresent(id -> b.header(RequestIds.HEADER, id));
        if (!headers.isEmpty()) {
            b.headers(flatten(headers));
        }
        return b.build();
    }

    private static String[] flatten(Map<String, String> headers) {
        String[] flat = new String[headers.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            flat[i++] = h.getKey();
            flat[i++] = h.getValue();
        }
        return flat;
    }

    private static void discard(HttpResponse<?> response) {
        if (response.body() instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the connection is dropped: nothing else to do
            }
        }
    }

    /**
     * An answer that is not {@code expected} as an exception saying what failed: a temporary one (after the tries) as a
     * {@link StoreUnavailableException}, else a {@link SwiftException} with the status.
     */
    static IOException failure(String what, HttpResponse<?> response) {
        int status = response.statusCode();
        String detail = response.body() instanceof byte[] b && b.length > 0
                ? ": " + new String(b, 0, Math.min(b.length, 300), java.nio.charset.StandardCharsets.UTF_8).strip() : "";
        String message = what + ": Swift answered " + status + detail;
        return TEMPORARY.contains(status) ? new StoreUnavailableException(message, null) : new SwiftException(status, message);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
