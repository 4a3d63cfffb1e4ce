package glint.auth;

import java.util.Optional;
import org.slf4j.MDC;

/**
 * The request a thread works for, as oslo keeps its request context in a thread-local: {@code http.Router} binds each
 * request's thread, an import task binds its worker thread with the request that started it. What is bound goes into
 * the log's MDC ({@code request_id}, {@code user_id}, {@code project_id}: every line logged on that thread, and JSON
 * logs, carry them) and into calls made to other services on the request's behalf (Keystone, web-download,
 * glance-download, the S3 and Swift stores) as {@value #HEADER}, the global request id header of OpenStack (keystoneauth's
 * {@code global_request_id}; oslo.middleware's {@code request_id} filter and Glance take it from there).
 */
public final class RequestIds {
    /** OpenStack's request id header, sent on outgoing calls (answered as {@code x-openstack-request-id}). */
    public static final String HEADER = "X-OpenStack-Request-ID";
    public static final String MDC_REQUEST_ID = "request_id";
    public static final String MDC_USER_ID = "user_id";
    public static final String MDC_PROJECT_ID = "project_id";

    /** Ends a binding; never throws. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private RequestIds() {}

    /** The id of the request this thread works for, if it is bound to one. */
    public static Optional<String> current() {
        return Optional.ofNullable(MDC.get(MDC_REQUEST_ID));
    }

    /** Binds this thread to the request {@code requestId} until the scope closes. */
    public static Scope bind(String requestId) {
        MDC.put(MDC_REQUEST_ID, requestId);
        return RequestIds::clear;
    }

    /**
     * Binds this thread to the request {@code requestId} names, if any, until the scope closes: for work handed to
     * another thread, which carries the id it was given (taken with {@link #current()} on the request's thread).
     */
    public static Scope bind(Optional<String> requestId) {
        return requestId.isPresent() ? bind(requestId.get()) : () -> {};
    }

    /** Binds this thread to the request of {@code ctx}, with its user and project, until the scope closes. */
    public static Scope bind(RequestContext ctx) {
        if (ctx.requestId() != null) {
            MDC.put(MDC_REQUEST_ID, ctx.requestId());
        }
        caller(ctx);
        return RequestIds::clear;
    }

    /** Names the caller of the request this thread is bound to, once it is authenticated. */
    public static void caller(RequestContext ctx) {
        put(MDC_USER_ID, ctx.userId());
        put(MDC_PROJECT_ID, ctx.projectId());
    }

    private static void put(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        }
    }

    private static void clear() {
        MDC.remove(MDC_REQUEST_ID);
        MDC.remove(MDC_USER_ID);
        MDC.remove(MDC_PROJECT_ID);
    }
}
