package glint.store.swift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.store.StoreUnavailableException;
import glint.testing.DatabaseNeutral;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which endpoint of a token's catalog the swift store writes to ({@link SwiftAuth#storageUrl}): the object-store
 * endpoint of the interface {@code swift_store_endpoint_type} in the region {@code swift_store_region}, in a catalog
 * with two regions, three interfaces and another service listed first, as a Keystone v3 token carries it.
 */
@DatabaseNeutral
class SwiftCatalogTest {
    private static final String CATALOG = """
            [
              {"type": "image", "name": "glance", "endpoints": [
                {"interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": "http://glance/one"}]},
              {"type": "object-store", "name": "swift", "endpoints": [
                {"interface": "internal", "region_id": "RegionOne", "region": "RegionOne", "url": "http://one-internal/v1/AUTH_p"},
                {"interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": "http://one-public/v1/AUTH_p"},
                {"interface": "admin", "region_id": "RegionTwo", "region": "RegionTwo", "url": "http://two-admin/v1/AUTH_p"},
                {"interface": "public", "region_id": "RegionTwo", "region": "RegionTwo", "url": "http://two-public/v1/AUTH_p"},
                {"interface": "internal", "region_id": "RegionTwo", "region": "RegionTwo", "url": "http://two-internal/v1/AUTH_p"}]},
              {"type": "object-store-legacy", "name": "old", "endpoints": [
                {"interface": "public", "region": "RegionThree", "url": "http://three-public/v1/AUTH_p"}]}
            ]""";

    private static String chosen(String... options) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("swift_store_auth_address", "http://keystone/v3",
                "swift_store_user", "p:u", "swift_store_key", "k"));
        for (int i = 0; i + 1 < options.length; i += 2) {
            o.put(options[i], options[i + 1]);
        }
        JsonNode catalog = new ObjectMapper().readTree(CATALOG);
        return SwiftAuth.storageUrl(catalog, SwiftOptions.parse("objects", o));
    }

    @Test
    void theConfiguredInterfaceAndRegionAreChosen() throws Exception {
        assertThat(chosen()).as("defaults: publicURL, any region: the first public one").isEqualTo("http://one-public/v1/AUTH_p");
        assertThat(chosen("swift_store_endpoint_type", "internalURL")).isEqualTo("http://one-internal/v1/AUTH_p");
        assertThat(chosen("swift_store_region", "RegionTwo")).isEqualTo("http://two-public/v1/AUTH_p");
        assertThat(chosen("swift_store_region", "RegionTwo", "swift_store_endpoint_type", "internalURL"))
                .isEqualTo("http://two-internal/v1/AUTH_p");
        assertThat(chosen("swift_store_region", "RegionTwo", "swift_store_endpoint_type", "adminURL"))
                .isEqualTo("http://two-admin/v1/AUTH_p");
        // a catalog whose endpoints name their region only by the older "region" field
        assertThat(chosen("swift_store_service_type", "object-store-legacy", "swift_store_region", "RegionThree"))
                .isEqualTo("http://three-public/v1/AUTH_p");
    }

    @Test
    void noEndpointOfTheInterfaceInTheRegionIsAnUnavailableStoreSayingWhatIsMissing() {
        assertThatThrownBy(() -> chosen("swift_store_region", "RegionOne", "swift_store_endpoint_type", "adminURL"))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("object-store endpoint of interface admin in region RegionOne");
        assertThatThrownBy(() -> chosen("swift_store_region", "RegionNine")).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("RegionNine");
    }
}
