package glint.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Finds the heads of the HTTP/1.1 requests in the bytes a client sends on one connection, fed as they pass through
 * {@link TcpProxy}: each head is told to an observer as soon as it is complete, before the proxy forwards it (so an
 * observer that blocks holds the request back from the server). Bodies are skipped by their framing, a
 * {@code Content-Length} or chunked encoding; requests pipelined or kept alive on one connection are each found.
 */
public final class HttpRequestHeads {
    /** One request's line and headers (names in lower case; the last value of a repeated header). */
    public record Head(String method, String target, Map<String, String> headers) {
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }
    }

    private enum State { HEAD, BODY, CHUNK_SIZE, CHUNK_DATA, TRAILER, LOST }

    private static final int MAX_HEAD = 64 * 1024;

    private final Consumer<Head> observer;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private State state = State.HEAD;
    private long left; // body or chunk bytes still to skip

    HttpRequestHeads(Consumer<Head> observer) {
        this.observer = observer;
    }

    /** The next {@code n} bytes the client sent. */
    void feed(byte[] bytes, int n) {
        int i = 0;
        while (i < n && state != State.LOST) {
            switch (state) {
                case BODY, CHUNK_DATA -> {
                    int skip = (int) Math.min(left, n - i);
                    i += skip;
                    left -= skip;
                    if (left == 0) {
                        state = state == State.BODY ? State.HEAD : State.CHUNK_SIZE;
                    }
                }
                default -> {
                    byte b = bytes[i++];
                    line.write(b);
                    if (line.size() > MAX_HEAD) {
                        state = State.LOST; // not HTTP as this understands it: stop looking
                    } else if (b == '\n') {
                        lineEnded();
                    }
                }
            }
        }
    }

    private void lineEnded() {
        String text = line.toString(StandardCharsets.ISO_8859_1);
        switch (state) {
            case HEAD -> {
                if (text.endsWith("\r\n\r\n") || text.equals("\r\n")) {
                    line.reset();
                    if (!text.isBlank()) {
                        head(text);
                    }
                }
            }
            case CHUNK_SIZE -> {
                line.reset();
                String size = text.strip();
                int semicolon = size.indexOf(';');
                long length = Long.parseLong(semicolon < 0 ? size : size.substring(0, semicolon).strip(), 16);
                if (length == 0) {
                    state = State.TRAILER;
                } else {
                    left = length + 2; // the data and its CRLF
                    state = State.CHUNK_DATA;
                }
            }
            case TRAILER -> {
                line.reset();
                if (text.equals("\r\n")) {
                    state = State.HEAD;
                }
            }
            default -> throw new IllegalStateException(state.toString());
        }
    }

    private void head(String text) {
        String[] lines = text.split("\r\n");
        String[] request = lines[0].split(" ");
        Map<String, String> headers = new TreeMap<>();
        for (int k = 1; k < lines.length; k++) {
            int colon = lines[k].indexOf(':');
            if (colon > 0) {
                headers.put(lines[k].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[k].substring(colon + 1).strip());
            }
        }
        Head head = new Head(request[0], request.length > 1 ? request[1] : "", headers);
        if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
            state = State.CHUNK_SIZE;
        } else {
            left = Long.parseLong(headers.getOrDefault("content-length", "0"));
            state = left > 0 ? State.BODY : State.HEAD;
        }
        observer.accept(head);
    }
}
