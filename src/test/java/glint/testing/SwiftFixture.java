package glint.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A real OpenStack Swift (Debian's packages, all-in-one on loopback) behind keystonemiddleware pointed at a Glint's
 * built-in identity, named by system properties ({@code ./test} starts one with scripts/swift.sh and passes them):
 * {@code glint.test.swift.authAddress} (the identity, {@code …/identity/v3}), {@code glint.test.swift.user}
 * ({@code project:user}), {@code glint.test.swift.key}. Each test works in containers of its own
 * ({@link #newContainer()}); the fixture lists them through Swift's own API, with its own token.
 */
public final class SwiftFixture {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SEGMENT = Pattern.compile("(.+)-\\d{5,9}"); // as SwiftLayout.SEGMENT
    private static SwiftFixture shared;

    public final String authAddress;
    public final String user;
    public final String key;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Path configDir;
    private String token;
    private String storageUrl;

    private SwiftFixture(String authAddress, String user, String key) {
        this.authAddress = authAddress;
        this.user = user;
        this.key = key;
        try {
            this.configDir = Files.createTempDirectory("glint-swift-conf");
            configDir.toFile().deleteOnExit();
            configDir.resolve("swift-store.conf").toFile().deleteOnExit(); // before the directory (reverse order)
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Swift named by the system properties, or null when there is none (see {@link #assumePresent}). */
    public static synchronized SwiftFixture fromSystemProperties() {
        String auth = System.getProperty("glint.test.swift.authAddress", "");
        if (auth.isBlank()) {
            return null;
        }
        if (shared == null) {
            shared = new SwiftFixture(auth, System.getProperty("glint.test.swift.user"), System.getProperty("glint.test.swift.key"));
        }
        return shared;
    }

    /** Skips the calling test, with a message saying how to run it, when there is no Swift. */
    public static SwiftFixture assumePresent() {
        SwiftFixture swift = fromSystemProperties();
        Assumptions.assumeTrue(swift != null, "no Swift for the swift store tests: ./test starts one; by hand run "
                + "scripts/swift.sh start DIR PORT and pass -Dglint.test.swift.authAddress=$SWIFT_AUTH_ADDRESS "
                + "-Dglint.test.swift.user=$SWIFT_USER -Dglint.test.swift.key=$SWIFT_KEY (values in DIR/env)");
        return swift;
    }

    /** A container name no other test uses (not created: the store creates it on its first write). */
    public String newContainer() {
        return "glint-test-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /**
     * The options of a swift store in {@code container}, created on first put, with the credentials in a
     * {@code swift_store_config_file} as glance_store's reference {@code ref1}; {@code extra} are name, value pairs.
     */
    public Map<String, String> storeOptions(String container, String... extra) {
        Path file = configDir.resolve("swift-store.conf");
        try {
            Files.writeString(file, "[ref1]\nauth_version = 3\nauth_address = " + authAddress + "\nuser = " + user
                    + "\nkey = " + key + "\nuser_domain_id = default\nproject_domain_id = default\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> o = new LinkedHashMap<>();
        o.put("swift_store_config_file", file.toString());
        o.put("default_swift_reference", "ref1");
        o.put("swift_store_container", container);
        o.put("swift_store_create_container_on_put", "true");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            o.put(extra[i], extra[i + 1]);
        }
        return o;
    }

    /** The names of the container's objects (segments included); empty when there is no container. */
    public synchronized List<String> objects(String container) {
        HttpResponse<byte[]> r = send("GET", "/" + container + "?format=json&limit=10000");
        if (r.statusCode() == 404 || r.statusCode() == 204) {
            return List.of();
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("listing " + container + ": " + r.statusCode());
        }
        List<String> names = new ArrayList<>();
        try {
            for (JsonNode e : JSON.readTree(r.body())) {
                names.add(e.path("name").asText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /**
     * What the container holds, one entry per blob: a committed object by name (its segments, if any, are part of it),
     * and "segments of NAME" for the segments of a write with no manifest (an unfinished upload, as S3's multipart
     * upload that was never completed).
     */
    public List<String> storedBlobs(String container) {
        List<String> names = objects(container);
        List<String> stored = new ArrayList<>();
        for (String name : names) {
            Matcher m = SEGMENT.matcher(name);
            if (!m.matches()) {
                stored.add(name);
            } else if (!names.contains(m.group(1)) && !stored.contains("segments of " + m.group(1))) {
                stored.add("segments of " + m.group(1));
            }
        }
        return stored;
    }

    /** The account's storage URL, as the catalog of the store's user names it. */
    public synchronized String storageUrl() {
        if (token == null) {
            login();
        }
        return storageUrl;
    }

    /** The headers of an object, or null if there is none. */
    public synchronized HttpResponse<byte[]> head(String container, String object) {
        HttpResponse<byte[]> r = send("HEAD", "/" + container + "/" + object);
        return r.statusCode() == 404 ? null : r;
    }

    private HttpResponse<byte[]> send(String method, String path) {
        if (token == null) {
            login();
        }
        HttpResponse<byte[]> r = exchange(method, path);
        if (r.statusCode() == 401) {
            login();
            r = exchange(method, path);
        }
        return r;
    }

    private HttpResponse<byte[]> exchange(String method, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(storageUrl + path)).method(method, HttpRequest.BodyPublishers.noBody())
                    .header("X-Auth-Token", token).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void login() {
        String[] pu = user.split(":", 2);
        String body = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"" + pu[1]
                + "\",\"domain\":{\"id\":\"default\"},\"password\":\"" + key + "\"}}},"
                + "\"scope\":{\"project\":{\"name\":\"" + pu[0] + "\",\"domain\":{\"id\":\"default\"}}}}}";
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(authAddress + "/auth/tokens"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 201) {
                throw new IllegalStateException("login to " + authAddress + ": " + r.statusCode());
            }
            token = r.headers().firstValue("X-Subject-Token").orElseThrow();
            for (JsonNode s : JSON.readTree(r.body()).path("token").path("catalog")) {
                if (s.path("type").asText().equals("object-store")) {
                    for (JsonNode e : s.path("endpoints")) {
                        if (e.path("interface").asText().equals("public")) {
                            storageUrl = e.path("url").asText();
                        }
                    }
                }
            }
            if (storageUrl == null) {
                throw new IllegalStateException("no object-store endpoint in the catalog of " + user);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
