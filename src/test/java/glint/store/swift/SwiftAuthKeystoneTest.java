package glint.store.swift;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.DatabaseNeutral;
import glint.testing.KeystoneFixture;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The swift store's login against an external Keystone (Debian's, started by the test command), not the built-in
 * identity the Swift of the other swift tests trusts: the store authenticates as glance_store does (v3 password,
 * project scope, a swift_store_config_file reference) and takes the object-store endpoint of its region and interface
 * from the catalog that Keystone really answers with, here with endpoints in two regions and two interfaces.
 */
@DatabaseNeutral
class SwiftAuthKeystoneTest {
    private final KeystoneFixture keystone = KeystoneFixture.fromSystemProperties();
    private final List<String> made = new ArrayList<>(); // paths to DELETE as admin, in reverse order
    @TempDir
    Path dir;

    @AfterEach
    void removeWhatWasMade() {
        for (int i = made.size() - 1; i >= 0; i--) {
            keystone.asAdmin("DELETE", made.get(i), null);
        }
    }

    private String create(String collection, String kind, String body) {
        String id = keystone.asAdmin("POST", "/v3/" + collection, "{\"" + kind + "\":" + body + "}").path(kind).path("id").asText();
        made.add("/v3/" + collection + "/" + id);
        return id;
    }

    @Test
    void theStoreLogsInToKeystoneAndTakesItsRegionsAndInterfacesEndpointFromTheRealCatalog() throws Exception {
        KeystoneFixture.assumePresent(keystone);
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String region = create("regions", "region", "{\"id\":\"glint-test-" + unique + "\"}");
        String service = create("services", "service", "{\"type\":\"object-store\",\"name\":\"swift-" + unique + "\"}");
        for (String[] e : new String[][] {{"RegionOne", "public", "one-public"}, {region, "public", "two-public"},
                {region, "internal", "two-internal"}}) {
            create("endpoints", "endpoint", "{\"service_id\":\"" + service + "\",\"region_id\":\"" + e[0]
                    + "\",\"interface\":\"" + e[1] + "\",\"url\":\"http://127.0.0.1:9/v1/AUTH_" + e[2] + "\"}");
        }
        Path refs = dir.resolve("glance-swift.conf");
        Files.writeString(refs, "[ref1]\nauth_version = 3\nauth_address = " + keystone.url + "\nuser = service:"
                + keystone.serviceUser + "\nkey = " + keystone.servicePassword
                + "\nuser_domain_id = default\nproject_domain_id = default\n");

        SwiftAuth.Session session = new SwiftAuth(SwiftOptions.parse("objects", Map.of("swift_store_config_file",
                refs.toString(), "swift_store_region", region, "swift_store_endpoint_type", "internalURL")),
                HttpClient.newHttpClient(), Clock.systemUTC()).session();
        assertThat(session.storageUrl()).isEqualTo("http://127.0.0.1:9/v1/AUTH_two-internal");
        assertThat(session.token()).isNotBlank();
        // the token is Keystone's own: it validates there
        assertThat(keystone.asAdmin("GET", "/v3/auth/tokens?nocatalog", null, "X-Subject-Token", session.token())
                .path("token").path("project").path("name").asText()).isEqualTo("service");

        SwiftAuth.Session inRegionOne = new SwiftAuth(SwiftOptions.parse("objects", Map.of("swift_store_config_file",
                refs.toString(), "swift_store_region", "RegionOne")), HttpClient.newHttpClient(), Clock.systemUTC()).session();
        assertThat(inRegionOne.storageUrl()).isEqualTo("http://127.0.0.1:9/v1/AUTH_one-public");
    }
}
