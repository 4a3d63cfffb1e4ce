package glint.store.http;

import glint.store.BlobNotFoundException;
import glint.store.BlobStore;
import glint.store.BlobWriter;
import glint.store.ByteSink;
import glint.store.StoreReadOnlyException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * glance_store's read-only {@code http} store ({@code _drivers/http.py}): image data that lives on a web server, named
 * by the location's own URL ({@code http://…} or {@code https://…}; a {@code #fragment} only tells locations apart and
 * is not sent). The size is the {@code Content-Length} of a {@code HEAD}, the data a {@code GET} (a range as a
 * {@code Range} request, or skipped to when the server ignores it). Redirects: 301 and 302 only, at most
 * {@value #MAX_REQUESTS} requests in all, every target passed through the {@link HttpGuard} first. Nothing is ever
 * written or deleted: {@link #create} refuses, {@link #delete} leaves the remote data alone (glance_store has no
 * delete either, and the data is not Glint's).
 *
 * <p>Unlike glance_store (whose {@code https_insecure} defaults to true), https certificates are verified against the
 * JVM's trust store, and no proxy is used.
 */
public final class HttpStore implements BlobStore {
    /** glance_store's {@code MAX_REDIRECTS}: requests per read, the first one included. */
    static final int MAX_REQUESTS = 5;
    private static final int CHUNK = 64 * 1024;

    private final String id;
    private final HttpGuard guard;
    private final Duration timeout;
    private final HttpClient http;

    public HttpStore(String id, HttpGuard guard, Duration timeout) {
        this.id = id;
        this.guard = guard;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout)
                .proxy(ProxySelector.of(null)).build();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return "http";
    }

    @Override
    public boolean serves(String location) {
        String l = location == null ? "" : location.toLowerCase(Locale.ROOT);
        return l.startsWith("http://") || l.startsWith("https://");
    }

    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public BlobWriter create(String imageId) throws IOException {
        throw new StoreReadOnlyException(id);
    }

    @Override
    public long size(String location) throws IOException {
        HttpResponse<InputStream> r = send(location, "HEAD", Optional.empty());
        r.body().close();
        return r.headers().firstValueAsLong("Content-Length").orElse(0);
    }

    @Override
    public void read(String location, long offset, long length, ByteSink sink) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: " + offset + ", " + length);
        }
        if (length == 0) {
            if (size(location) < offset) {
                throw new EOFException(location + " is shorter than " + offset + " bytes");
            }
            return;
        }
        HttpResponse<InputStream> r = send(location, "GET",
                Optional.of("bytes=" + offset + "-" + (offset + length - 1)));
        try (InputStream in = r.body()) {
            OptionalLong declared = r.headers().firstValueAsLong("Content-Length");
            long skip = r.statusCode() == 206 ? 0 : offset;
            if (declared.isPresent() && declared.getAsLong() < skip + length) {
                throw new EOFException(location + " has " + declared.getAsLong() + " bytes here, asked for " + length
                        + " from " + offset);
            }
            in.skipNBytes(skip);
            copy(in, length, sink, location);
        }
    }

    private static void copy(InputStream in, long length, ByteSink sink, String location) throws IOException {
        byte[] chunk = new byte[(int) Math.min(CHUNK, length)];
        long left = length;
        while (left > 0) {
            int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
            if (n < 0) {
                throw new EOFException(location + " ended " + left + " bytes early");
            }
            sink.write(ByteBuffer.wrap(chunk, 0, n));
            left -= n;
        }
    }

    /** Never deletes: the data is a web server's, not Glint's. */
    @Override
    public void delete(String location) {}

    @Override
    public void cleanup() {}

    /** The final response, below 300, of {@code method} on the location, following 301 and 302. */
    private HttpResponse<InputStream> send(String location, String method, Optional<String> range) throws IOException {
        String target = withoutFragment(location);
        for (int request = 1; ; request++) {
            URI uri = guard.allow(target);
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                    .method(method, HttpRequest.BodyPublishers.noBody());
            range.ifPresent(r -> b.header("Range", r));
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (IllegalArgumentException e) {
                throw new BlobNotFoundException(location);
            }
            int status = r.statusCode();
            if (status < 300) {
                return r;
            }
            r.body().close();
            if (status == 404) {
                throw new BlobNotFoundException(location);
            }
            if (status == 416) {
                throw new EOFException(location + ": requested range not satisfiable");
            }
            Optional<String> next = r.headers().firstValue("Location");
            if (status >= 400 || next.isEmpty() || status != 301 && status != 302) {
                throw new IOException("HTTP URL " + uri.getPath() + " returned a " + status + " status code");
            }
            if (request >= MAX_REQUESTS) {
                throw new IOException("The HTTP URL exceeded " + MAX_REQUESTS + " maximum redirects.");
            }
            try {
                target = withoutFragment(uri.resolve(next.get()).toString());
            } catch (IllegalArgumentException e) {
                throw new IOException("HTTP URL " + uri.getPath() + " redirected to an invalid URL", e);
            }
        }
    }

    private static String withoutFragment(String url) {
        int hash = url.indexOf('#');
        return hash < 0 ? url : url.substring(0, hash);
    }

    @Override
    public String toString() {
        return "HttpStore[" + id + "]";
    }
}
