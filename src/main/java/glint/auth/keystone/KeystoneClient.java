package glint.auth.keystone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import glint.auth.RequestIds;
import glint.config.GlintConfig.KeystoneAuthtoken;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * The two Keystone v3 calls Glint makes in keystone mode: issue the service token (password method, project scope)
 * and validate a token ({@code GET /v3/auth/tokens?nocatalog}, or with the catalog when glance-download needs it). Transport failures and 5xx are
 * {@link KeystoneUnavailableException}; what keystonemiddleware turns into a 503. Each call carries the id of the
 * request it is made for as {@code X-OpenStack-Request-ID} (keystoneauth's global request id; keystonemiddleware
 * itself sends none), so Keystone's log names the request that caused it.
 */
public final class KeystoneClient {
    /** A token and the time Keystone says it expires. */
    public record IssuedToken(String id, Instant expiresAt) {}

    /** The outcome of validating a token: its body, or a refusal by status (404: unknown/expired/revoked; 401: ours was refused). */
    public record Validation(int status, Optional<JsonNode> token) {}

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final ObjectMapper json;
    private final KeystoneAuthtoken config;
    private final String v3;
    private final boolean systemScope;

    public KeystoneClient(KeystoneAuthtoken config, ObjectMapper json) {
        this(config, json, false);
    }

    /** @param systemScope the service token is system-scoped ({@code system_scope = all}) rather than the project's */
    public KeystoneClient(KeystoneAuthtoken config, ObjectMapper json, boolean systemScope) {
        this.systemScope = systemScope;
        this.config = config;
        this.json = json;
        String base = config.authUrl();
        this.v3 = base.endsWith("/v3") ? base : base + "/v3";
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.httpConnectTimeout().isZero() ? Duration.ofSeconds(10) : config.httpConnectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Authenticates the service user; a refusal is also "unavailable": without it no token can be validated. */
    public IssuedToken issueServiceToken() {
        ObjectNode body = json.createObjectNode();
        ObjectNode auth = body.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode user = identity.putObject("password").putObject("user");
        user.put("name", config.username());
        user.putObject("domain").put("name", config.userDomainName());
        user.put("password", config.password());
        if (systemScope) {
            auth.putObject("scope").putObject("system").put("all", true);
        } else {
            ObjectNode project = auth.putObject("scope").putObject("project");
            project.put("name", config.projectName());
            project.putObject("domain").put("name", config.projectDomainName());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(v3 + "/auth/tokens?nocatalog"))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        HttpResponse<byte[]> response = send(request);
        if (response.statusCode() != 201) {
            throw new KeystoneUnavailableException("Keystone refused the service credentials of "
                    + config.username() + ": HTTP " + response.statusCode());
        }
        String id = response.headers().firstValue("X-Subject-Token")
                .orElseThrow(() -> new KeystoneUnavailableException("Keystone issued a token without X-Subject-Token"));
        return new IssuedToken(id, expiresAt(parse(response).path("token")));
    }

    /**
     * {@code GET /v3/auth/tokens?nocatalog} with {@code X-Auth-Token: serviceToken}, {@code X-Subject-Token: token};
     * without {@code nocatalog} when {@code withCatalog}.
     */
    public Validation validate(String serviceToken, String token, boolean withCatalog) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(v3 + "/auth/tokens" + (withCatalog ? "" : "?nocatalog")))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .header("X-Auth-Token", serviceToken)
                .header("X-Subject-Token", token)
                .GET();
        HttpResponse<byte[]> response = send(request);
        int status = response.statusCode();
        if (status == 200) {
            return new Validation(200, Optional.of(parse(response).path("token")));
        }
        if (status >= 500) {
            throw new KeystoneUnavailableException("Keystone answered " + status + " to a token validation");
        }
        return new Validation(status, Optional.empty());
    }

    /**
     * {@code GET /v3<path>} with {@code X-Auth-Token: token}: the body of a 200, else empty with the status (404 an
     * unknown id, 401 a refused token, 403 a forbidden read).
     */
    public Validation get(String token, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(v3 + path))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .header("X-Auth-Token", token)
                .GET();
        HttpResponse<byte[]> response = send(request);
        int status = response.statusCode();
        if (status == 200) {
            return new Validation(200, Optional.of(parse(response)));
        }
        if (status >= 500) {
            throw new KeystoneUnavailableException("Keystone answered " + status + " to GET " + path);
        }
        return new Validation(status, Optional.empty());
    }

    /** {@code expires_at} of a token body ("2026-11-25T11:38:53.000000Z"). */
    public static Instant expiresAt(JsonNode token) {
        String text = token.path("expires_at").asText("");
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new KeystoneUnavailableException("Keystone sent a token without a readable expires_at: '" + text + "'");
        }
    }

    /** Sends {@code request}, with the id of the request this thread works for as {@code X-OpenStack-Request-ID}. */
    private HttpResponse<byte[]> send(HttpRequest.Builder builder) {
        RequestIds.current().ifPresent(id -> builder.header(RequestIds.HEADER, id));
        HttpRequest request = builder.build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new KeystoneUnavailableException("Keystone at " + v3 + " is unreachable: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeystoneUnavailableException("interrupted while waiting for Keystone");
        }
    }

    private JsonNode parse(HttpResponse<byte[]> response) {
        try {
            return json.readTree(response.body());
        } catch (IOException e) {
            throw new KeystoneUnavailableException("Keystone sent a body that is not JSON: " + e.getMessage());
        }
    }
}
