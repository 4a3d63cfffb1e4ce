package glint.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Keystone for the keystone-mode tests, named by system properties ({@code ./test} starts one with
 * scripts/keystone.sh and passes them): {@code glint.test.keystone.url}, {@code glint.test.keystone.adminPassword},
 * {@code glint.test.keystone.serviceUser}, {@code glint.test.keystone.servicePassword}. Talks to Keystone's own API
 * to create projects, users and role assignments, issue and revoke tokens.
 */
public final class KeystoneFixture {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    public final String url;
    public final String adminPassword;
    public final String serviceUser;
    public final String servicePassword;
    private final String adminToken;

    private KeystoneFixture(String url, String adminPassword, String serviceUser, String servicePassword) {
        this.url = url;
        this.adminPassword = adminPassword;
        this.serviceUser = serviceUser;
        this.servicePassword = servicePassword;
        this.adminToken = token("admin", adminPassword, "admin");
    }

    /** The Keystone named by the system properties, or null when there is none (see {@link #assumePresent}). */
    public static KeystoneFixture fromSystemProperties() {
        String url = System.getProperty("glint.test.keystone.url", "");
        if (url.isBlank()) {
            return null;
        }
        return new KeystoneFixture(url, System.getProperty("glint.test.keystone.adminPassword"),
                System.getProperty("glint.test.keystone.serviceUser"), System.getProperty("glint.test.keystone.servicePassword"));
    }

    /** Skips the calling test, with a message saying how to run it, when there is no Keystone. */
    public static void assumePresent(KeystoneFixture keystone) {
        Assumptions.assumeTrue(keystone != null, "no Keystone for the keystone-mode tests: ./test starts one; by hand run "
                + "scripts/keystone.sh start DIR PORT and pass -Dglint.test.keystone.url=... -Dglint.test.keystone.adminPassword=... "
                + "-Dglint.test.keystone.serviceUser=... -Dglint.test.keystone.servicePassword=... (values in DIR/env)");
    }

    /** The {@code [identity]} and {@code [keystone_authtoken]} lines of a Glint that validates against this Keystone. */
    public String[] glintConfig(int tokenCacheTime) {
        return new String[] {"[identity]", "mode = keystone", "[keystone_authtoken]", "www_authenticate_uri = " + url,
                "auth_url = " + url, "auth_type = password", "username = " + serviceUser, "password = " + servicePassword,
                "project_name = service", "user_domain_name = Default", "project_domain_name = Default",
                "token_cache_time = " + tokenCacheTime};
    }

    /** A new project with a fresh unique name; returns its id. */
    public String createProject(String prefix) {
        return send("POST", "/v3/projects", "{\"project\":{\"name\":\"" + unique(prefix) + "\",\"domain_id\":\"default\"}}", adminToken)
                .path("project").path("id").asText();
    }

    public String projectName(String projectId) {
        return send("GET", "/v3/projects/" + projectId, null, adminToken).path("project").path("name").asText();
    }

    /** A new user with {@code role} on the project; returns a token of that user scoped to the project. */
    public String userToken(String projectId, String role) {
        String name = unique("user");
        String password = UUID.randomUUID().toString();
        String userId = send("POST", "/v3/users", "{\"user\":{\"name\":\"" + name + "\",\"domain_id\":\"default\",\"password\":\""
                + password + "\"}}", adminToken).path("user").path("id").asText();
        String roleId = send("GET", "/v3/roles?name=" + role, null, adminToken).path("roles").get(0).path("id").asText();
        send("PUT", "/v3/projects/" + projectId + "/users/" + userId + "/roles/" + roleId, null, adminToken);
        return token(name, password, projectName(projectId));
    }

    /** A token of the bootstrap admin in project admin. */
    public String adminToken() {
        return adminToken;
    }

    /** A token of Glint's service user in project service (role service). */
    public String serviceToken() {
        return token(serviceUser, servicePassword, "service");
    }

    /** A call to Keystone's API as its admin, with header name, value pairs (a failure status fails the test); the body as JSON. */
    public JsonNode asAdmin(String method, String path, String body, String... headers) {
        return send(method, path, body, adminToken, headers);
    }

    /** {@code DELETE /v3/auth/tokens}: revokes the token in Keystone. */
    public void revoke(String token) {
        send("DELETE", "/v3/auth/tokens", null, adminToken, "X-Subject-Token", token);
    }

    public String token(String user, String password, String project) {
        String body = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"" + user
                + "\",\"domain\":{\"name\":\"Default\"},\"password\":\"" + password + "\"}}},"
                + "\"scope\":{\"project\":{\"name\":\"" + project + "\",\"domain\":{\"name\":\"Default\"}}}}}";
        HttpResponse<byte[]> response = exchange("POST", "/v3/auth/tokens", body, null);
        if (response.statusCode() != 201) {
            throw new IllegalStateException("Keystone login of " + user + ": " + response.statusCode() + " " + new String(response.body()));
        }
        return response.headers().firstValue("X-Subject-Token").orElseThrow();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private JsonNode send(String method, String path, String body, String token, String... headers) {
        HttpResponse<byte[]> response = exchange(method, path, body, token, headers);
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + new String(response.body()));
        }
        try {
            return response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<byte[]> exchange(String method, String path, String body, String token, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("X-Auth-Token", token);
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException("Keystone at " + url + " unreachable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
