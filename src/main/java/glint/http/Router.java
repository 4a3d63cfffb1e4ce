package glint.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import glint.auth.Authenticator;
import glint.auth.RequestContext;
import glint.auth.RequestIds;
import glint.data.ClientBodyException;
import glint.error.ErrorKind;
import glint.error.GlintException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge: request id, version prefix, route lookup (404, or 405 with {@code Allow}), authentication, the
 * handler, then error rendering and one access-log line. Everything Glance does in its paste pipeline, in one screen.
 */
public final class Router extends Handler.Abstract {
    private static final Logger ACCESS = LoggerFactory.getLogger("glint.access");
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    /** Glance's version negotiation rewrites /v2.0 … /v2.N to /v2 (glance/api/middleware/version_negotiation.py). */
    private static final Pattern VERSION_PREFIX = Pattern.compile("^/v2\\.[0-9]+(/|$)");
    private static final int MAX_REQUEST_ID_LENGTH = 64;
    /** The route label of a request whose path fits no route. */
    public static final String UNMATCHED = "unmatched";

    private final List<Route> routes = new ArrayList<>();
    private final ObjectMapper json;
    private final ErrorResponder errors;
    private final Authenticator authenticator;
    private volatile RequestListener listener = RequestListener.NONE;
    private volatile ConnectionLimits limits = ConnectionLimits.DEFAULTS;
    /**
     * How long the rest of a body an error answered is read for, at most (a refused 1 GiB upload on loopback: ~3 s),
     * and the pause in it that ends the reading (a client waiting for the answer before it sends).
     */
    private static final Duration DISCARD_REST_OF_BODY = Duration.ofSeconds(10);
    private static final Duration DISCARD_UNTIL_PAUSE = Duration.ofMillis(250);

    public Router(ObjectMapper json, Authenticator authenticator) {
        this.json = json;
        this.errors = new ErrorResponder(json);
        this.authenticator = authenticator;
    }

    public Router add(String method, String template, Route.Handler handler) {
        routes.add(new Route(method, template, handler, Route.Access.AUTHENTICATED));
        return this;
    }

    public Router addPublic(String method, String template, Route.Handler handler) {
        routes.add(new Route(method, template, handler, Route.Access.PUBLIC));
        return this;
    }

    /** A route anyone may call, where a valid token, if sent, names the caller ({@link Exchange#context()} else null). */
    public Router addOptionallyAuthenticated(String method, String template, Route.Handler handler) {
        routes.add(new Route(method, template, handler, Route.Access.OPTIONAL));
        return this;
    }

    /** Who is told of each request answered (the metrics); call while wiring, before serving. */
    /** The route table as registered, in order: what the request fuzzer (tests) walks. */
    public List<Route> routes() {
        return List.copyOf(routes);
    }

    public void listener(RequestListener listener) {
        this.listener = listener;
    }

    /** The limits a request is held to here (header lines, metadata body size, body rate); call while wiring. */
    public void limits(ConnectionLimits limits) {
        this.limits = limits;
    }

    @Override
    public boolean handle(Request jettyRequest, Response response, Callback callback) {
        long start = System.nanoTime();
        ConnectionLimits limits = this.limits;
        Request request = limits.minDataRate() > 0 ? new BodyRate(jettyRequest, limits.minDataRate()) : jettyRequest;
        String incomingId = request.getHeaders().get("X-Openstack-Request-ID");
        String requestId = incomingId != null && !incomingId.isEmpty() && incomingId.length() <= MAX_REQUEST_ID_LENGTH
                ? incomingId : "req-" + UUID.randomUUID();
        response.getHeaders().put("x-openstack-request-id", requestId);
        Exchange exchange = new Exchange(request, response, json, requestId, limits.maxRequestBodySize(), limits.minDataRate());
        RequestIds.Scope bound = RequestIds.bind(requestId);
        try {
            checkHeaderLines(request, limits.maxHeaderLine());
            if (incomingId != null && incomingId.length() > MAX_REQUEST_ID_LENGTH) {
                throw GlintException.badRequest("Request ID is longer than " + MAX_REQUEST_ID_LENGTH + " characters");
            }
            dispatch(exchange);
            if (!response.isCommitted()) {
                exchange.sendEmpty(response.getStatus() == 0 ? 200 : response.getStatus());
            }
            callback.succeeded();
        } catch (Exchange.ClientGoneException e) {
            callback.failed(e);
        } catch (GlintException e) {
            if (e.kind().serverFault()) {
                logServerFault(request, requestId, e);
            }
            respondWithError(exchange, e, callback);
        } catch (ClientBodyException e) {
            // the client's fault: it went away, timed out or broke its chunked encoding (Glance: a ValueError → 400)
            LOG.info("{} {} [{}]: {}", request.getMethod(), request.getHttpURI().getPath(), requestId, e.getMessage());
            respondWithError(exchange, GlintException.badRequest("The request body could not be read."), callback);
        } catch (Throwable e) {
            // a store, a disk, a bug: the server's fault, whether or not the response has started
            LOG.error("{} {} failed [{}]{}", request.getMethod(), request.getHttpURI().getPathQuery(), requestId,
                    response.isCommitted() ? " after the response started: aborting the connection" : "", e);
            respondWithError(exchange, new GlintException(ErrorKind.INTERNAL,
                    "The server has either erred or is incapable of performing the requested operation.", Map.of(), e), callback);
        } finally {
            long nanos = System.nanoTime() - start;
            accessLog(request, response.getStatus(), nanos, exchange);
            bound.close();
            listener.answered(request.getMethod(), exchange.route(), response.getStatus(), nanos);
        }
        return true;
    }

    /**
     * Glance's {@code max_header_line}: eventlet refuses a request with a longer header line (400 "Header Line Too
     * Long"); Jetty bounds only the whole head ({@link ConnectionLimits#maxHeadSize()}).
     */
    private static void checkHeaderLines(Request request, int maxHeaderLine) {
        if (maxHeaderLine <= 0) {
            return;
        }
        for (HttpField field : request.getHeaders()) {
            // "Name: value\r\n", as eventlet counts the line it read
            if (field.getName().length() + 2 + String.valueOf(field.getValue()).length() + 2 > maxHeaderLine) {
                throw GlintException.badRequest("Header Line Too Long");
            }
        }
    }

    /**
     * One line per request: method, path and query, status, milliseconds, request id, user/project. With JSON logs
     * the same as fields ({@code method}, {@code path}, {@code route}, {@code status}, {@code duration_ms}; the
     * request id, user and project are in the MDC).
     */
    private static void accessLog(Request request, int status, long nanos, Exchange exchange) {
        RequestContext ctx = exchange.context();
        long millis = nanos / 1_000_000;
        String pathQuery = request.getHttpURI().getPathQuery();
        ACCESS.atInfo().addKeyValue("method", request.getMethod()).addKeyValue("path", pathQuery)
                .addKeyValue("route", exchange.route()).addKeyValue("status", status).addKeyValue("duration_ms", millis)
                .log("{} {} {} {}ms {} {}", request.getMethod(), pathQuery, status, millis, exchange.requestId(),
                        ctx == null ? "-" : ctx.userId() + "/" + ctx.projectId());
    }

    private void dispatch(Exchange exchange) throws Exception {
        String path = exchange.path();
        if (VERSION_PREFIX.matcher(path).find()) {
            path = "/v2" + path.substring(path.indexOf('/', 1) < 0 ? path.length() : path.indexOf('/', 1));
        }
        if (path.startsWith("/identity/") && path.endsWith("/")) {
            // Keystone routes accept a trailing slash (its version document links to ".../v3/")
            path = path.substring(0, path.length() - 1);
        }
        List<String> segments = Route.split(path);
        TreeSet<String> allowed = new TreeSet<>();
        for (Route route : routes) {
            Optional<Map<String, String>> params = route.match(segments);
            if (params.isEmpty()) {
                continue;
            }
            exchange.route(route.template());
            if (!route.method().equals(exchange.method())) {
                allowed.add(route.method());
                continue;
            }
            exchange.pathParams(params.get());
            if (route.access() == Route.Access.AUTHENTICATED) {
                exchange.context(authenticate(exchange));
            } else if (route.access() == Route.Access.OPTIONAL) {
                exchange.context(authenticateIfValid(exchange));
            }
            if (exchange.context() != null) {
                RequestIds.caller(exchange.context());
            }
            route.handler().handle(exchange);
            return;
        }
        if (!allowed.isEmpty()) {
            throw new GlintException(ErrorKind.METHOD_NOT_ALLOWED, "The request method is not allowed for this resource.",
                    Map.of("Allow", String.join(", ", allowed)), null);
        }
        throw GlintException.notFound("The resource could not be found.");
    }

    private RequestContext authenticate(Exchange exchange) {
        String token = exchange.header("X-Auth-Token").orElse(null);
        String serviceToken = exchange.header("X-Service-Token").orElse(null);
        // keystonemiddleware checks the service token first; an invalid one refuses the request as a bad user token does
        boolean serviceTokenOk = serviceToken == null || serviceToken.isBlank()
                || authenticator.acceptsServiceToken(serviceToken.strip());
        Optional<RequestContext> context = token == null || token.isBlank() || !serviceTokenOk
                ? Optional.empty() : authenticator.authenticate(token.strip());
        return context.map(c -> c.forRequest(exchange.requestId(), token.strip()))
                .orElseThrow(() -> new GlintException(ErrorKind.UNAUTHORIZED, null,
                        Map.of("WWW-Authenticate", "Keystone uri=\"" + authenticator.wwwAuthenticateUri() + "\""), null));
    }

    /** The caller of a valid token, or null: no token, an invalid one, or an identity service that cannot say. */
    private RequestContext authenticateIfValid(Exchange exchange) {
        if (exchange.header("X-Auth-Token").filter(t -> !t.isBlank()).isEmpty()) {
            return null;
        }
        try {
            return authenticate(exchange);
        } catch (GlintException e) {
            return null;
        }
    }

    /** One line for a known condition (no data, a dependency down); the stack trace too for an internal error. */
    private static void logServerFault(Request request, String requestId, GlintException e) {
        String cause = causes(e);
        if (e.kind() == ErrorKind.INTERNAL) {
            LOG.error("{} {} failed [{}]: {}{}", request.getMethod(), request.getHttpURI().getPathQuery(), requestId,
                    e.getMessage(), cause, e);
        } else {
            LOG.error("{} {} [{}]: {}: {}{}", request.getMethod(), request.getHttpURI().getPathQuery(), requestId,
                    e.kind(), e.getMessage(), cause);
        }
    }

    /** " (cause)", with the root cause when it is another: what an operator needs to see in one line. */
    private static String causes(Throwable e) {
        Throwable cause = e.getCause();
        if (cause == null) {
            return "";
        }
        Throwable root = cause;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 10; depth++) {
            root = root.getCause();
        }
        return " (" + cause + (root == cause ? "" : "; caused by " + root) + ")";
    }

    /**
     * Renders the error in place of whatever the handler had prepared (a download sets its headers before reading
     * the store); a response that has started is aborted instead, so the client cannot take it for complete.
     */
    private void respondWithError(Exchange exchange, GlintException e, Callback callback) {
        if (exchange.committed()) {
            callback.failed(e);
            return;
        }
        ErrorResponder.Rendered rendered = errors.render(e, exchange.header("Accept").orElse(null), exchange.path(),
                exchange.header("Content-Type").orElse(null));
        exchange.resetResponse();
        e.headers().forEach(exchange::setHeader);
        if (!exchange.discardBody(DISCARD_REST_OF_BODY, DISCARD_UNTIL_PAUSE)) {
            // still unread: Jetty closes the connection once this answer is sent, so say so in it, or a client may
            // send its next request on the closing connection and get no answer
            exchange.setHeader("Connection", "close");
        }
        try {
            exchange.status(rendered.status());
            if (rendered.contentType() != null) {
                exchange.setHeader("Content-Type", rendered.contentType());
            }
            exchange.setHeader("Content-Length", Integer.toString(rendered.body().length));
            exchange.write(ByteBuffer.wrap(rendered.body()), true);
            callback.succeeded();
        } catch (RuntimeException writeFailure) {
            callback.failed(writeFailure);
        }
    }
}
