package glint.store.swift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import glint.store.StoreUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * The store's Keystone session: a project-scoped token of the reference's user (Keystone v3 password method, as
 * swiftclient's {@code auth_version 3} with glance_store's {@code os_options}) and the storage URL, which is
 * {@code swift_store_endpoint} if set, else the catalog's {@code swift_store_service_type} endpoint of the
 * interface {@code swift_store_endpoint_type} in {@code swift_store_region} (any region when unset). The token is
 * kept until two minutes before it expires or until Swift refuses it (401), then fetched again. Any Keystone works:
 * Glint's built-in identity (another Glint's, or this one's) or an external one.
 */
final class SwiftAuth {
    /** A token and where it lets this store write. */
    record Session(String token, String storageUrl, Instant expiresAt) {}

    private static final Duration EARLY = Duration.ofMinutes(2);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final SwiftOptions options;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Clock clock;
    private Session session; // guarded by this

    SwiftAuth(SwiftOptions options, HttpClient http, Clock clock) {
        this.options = options;
        this.http = http;
        this.clock = clock;
    }

    /** The current session, authenticating first if there is none or it is about to expire. */
    synchronized Session session() throws IOException {
        if (session == null || !clock.instant().isBefore(session.expiresAt().minus(EARLY))) {
            session = authenticate();
        }
        return session;
    }

    /** Forgets {@code refused} (Swift answered 401 with it), so that the next {@link #session()} authenticates. */
    synchronized void refused(Session refused) {
        if (session == refused) {
            session = null;
        }
    }

    /** @throws StoreUnavailableException when Keystone cannot be reached or fails; SwiftException 401 when it refuses */
    private Session authenticate() throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(options.identityV3() + "/auth/tokens"))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(authBody())))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while authenticating to Keystone");
        } catch (IOException e) {
            throw new StoreUnavailableException("Keystone at " + options.identityV3() + " unreachable: " + e, e);
        }
        if (response.statusCode() != 201) {
            String message = "Keystone refused the swift store's credentials (" + options.project() + ":"
                    + options.user() + "): " + response.statusCode();
            throw response.statusCode() >= 500 ? new StoreUnavailableException(message, null)
                    : new SwiftException(response.statusCode(), message);
        }
        String token = response.headers().firstValue("X-Subject-Token")
                .orElseThrow(() -> new StoreUnavailableException("Keystone answered without X-Subject-Token", null));
        JsonNode body = json.readTree(response.body()).path("token");
        Instant expires = body.hasNonNull("expires_at")
                ? OffsetDateTime.parse(body.path("expires_at").asText()).toInstant() : clock.instant().plus(Duration.ofHours(1));
        String url = options.endpoint().isEmpty() ? storageUrl(body.path("catalog"), options) : options.endpoint();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        return new Session(token, url, expires);
    }

    private ObjectNode authBody() {
        ObjectNode body = json.createObjectNode();
        ObjectNode identity = body.putObject("auth").putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode user = identity.putObject("password").putObject("user");
        user.put("name", options.user());
        user.put("password", options.key());
        domain(user.putObject("domain"), options.userDomainId(), options.userDomainName());
        ObjectNode project = ((ObjectNode) body.path("auth")).putObject("scope").putObject("project");
        project.put("name", options.project());
        domain(project.putObject("domain"), options.projectDomainId(), options.projectDomainName());
        return body;
    }

    private static void domain(ObjectNode node, String id, String name) {
        if (!id.isEmpty()) {
            node.put("id", id);
        } else {
            node.put("name", name);
        }
    }

    /**
     * The catalog's endpoint for a store of {@code options} (swiftclient's {@code get_endpoint}): the first endpoint of
     * a service of type {@code swift_store_service_type} whose interface is {@code swift_store_endpoint_type}'s and,
     * when {@code swift_store_region} is set, whose region (its {@code region_id}, or the older {@code region}) is it.
     *
     * @param catalog a Keystone v3 token's {@code catalog}
     * @throws StoreUnavailableException when the catalog has no such endpoint
     */
    static String storageUrl(JsonNode catalog, SwiftOptions options) throws StoreUnavailableException {
        String iface = options.keystoneInterface();
        for (JsonNode service : catalog) {
            if (!service.path("type").asText().equals(options.serviceType())) {
                continue;
            }
            for (JsonNode e : service.path("endpoints")) {
                boolean region = options.region().isEmpty() || options.region().equals(e.path("region_id").asText())
                        || options.region().equals(e.path("region").asText());
                if (region && e.path("interface").asText().equals(iface)) {
                    return e.path("url").asText();
                }
            }
        }
        throw new StoreUnavailableException("no " + options.serviceType() + " endpoint of interface " + iface
                + (options.region().isEmpty() ? "" : " in region " + options.region()) + " in the catalog of "
                + options.project() + ":" + options.user(), null);
    }
}
