package glint.http;

import java.time.Duration;

/**
 * What one client connection may hold of the server, so that idle, slow or oversized clients cannot exhaust threads,
 * memory or file descriptors:
 *
 * @param idleTimeout a connection with no traffic for this long is closed (Glance's {@code client_socket_timeout})
 * @param maxConnections connections accepted at once; past it Jetty stops accepting (they wait in the kernel's
 *     backlog) and closes connections idle for {@code pressureIdleTimeout}
 * @param pressureIdleTimeout the idle timeout while {@code maxConnections} are open
 * @param headTimeout a request head (request line and headers) still incomplete this long after it began, twice
 *     seen, is dropped: a slowloris sending a byte a second never idles, and is stopped by this
 * @param maxHeaderLine longest header line (name, colon, value) accepted, else 400 (Glance's {@code max_header_line})
 * @param maxHeadSize largest request head in all (Jetty's request header size): 414 for a longer request line, 431
 *     for more header bytes
 * @param maxRequestBodySize largest metadata (JSON) body read, else 413 (oslo.middleware's sizelimit option name)
 * @param minDataRate bytes per second a request body must arrive at, on average, once it has been read for
 *     {@link BodyRate#GRACE}, or it is failed as the client's (400): a request in its handler holds a thread, and a
 *     client trickling its body a byte a second would hold it for ever (each byte resets the idle timeout); and at
 *     which a response body must leave, once written for as long, or the connection is closed ({@link ResponseRate});
 *     0 = no bound
 */
public record ConnectionLimits(Duration idleTimeout, int maxConnections, Duration pressureIdleTimeout, Duration headTimeout,
                               int maxHeaderLine, int maxHeadSize, int maxRequestBodySize, long minDataRate) {
    /** Glance's {@code client_socket_timeout} and {@code max_header_line}; eventlet's 64 KiB request head. */
    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(Duration.ofSeconds(900), 4096,
            Duration.ofSeconds(5), Duration.ofSeconds(30), 16384, 65536, 1 << 20, 1024);
}
