package glint.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange written and read by hand over a socket, for what an HTTP client library will not do: stop
 * sending half-way, send a broken chunked encoding, or read a response's head before its body.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public RawHttp(int port) throws IOException {
        this(port, 0);
    }

    /**
     * @param receiveBuffer the socket's receive buffer in bytes, set before it connects (which turns off the
     *     kernel's growing of it, so that a server writing faster than this client reads is held back); 0: the default
     */
    public RawHttp(int port, int receiveBuffer) throws IOException {
        this.socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(30_000);
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
    }

    /** Sends a request line and headers ({@code name: value} strings). */
    public RawHttp head(String method, String path, String... headers) throws IOException {
        StringBuilder b = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return send(b.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public RawHttp send(String ascii) throws IOException {
        return send(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    /** A response's status and headers (names in lower case); the body is left to {@link #readBody()}. */
    public record Head(int status, Map<String, String> headers) {
        public long contentLength() {
            return Long.parseLong(headers.getOrDefault("content-length", "-1"));
        }
    }

    public Head readHead() throws IOException {
        String statusLine = line();
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l = line(); !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
        }
        return new Head(Integer.parseInt(statusLine.split(" ")[1]), headers);
    }

    /** Every byte until the server closes the connection (or {@code limit} bytes). */
    public long readBody(long limit) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while (total < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total))) >= 0) {
            total += n;
        }
        return total;
    }

    /** Whether the server has closed the connection: the next read finds its end. */
    public boolean closedByServer() throws IOException {
        return in.read() < 0;
    }

    public InputStream input() {
        return in;
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c < 0 && b.size() == 0) {
            throw new IOException("connection closed before a response");
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
