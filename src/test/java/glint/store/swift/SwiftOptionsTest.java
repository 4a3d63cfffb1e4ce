package glint.store.swift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.testing.DatabaseNeutral;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** glance_store's swift options: names, defaults, its "MB" of 1000 KiB, the reference file, and refusals naming the store. */
@DatabaseNeutral
class SwiftOptionsTest {
    @TempDir
    Path dir;

    private Path references(String text) throws Exception {
        Path file = dir.resolve("glance-swift.conf");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void readsTheReferenceAndGlanceStoresDefaults() throws Exception {
        Path file = references("[ref1]\nauth_address = http://keystone:5000/v3\nuser = service:glance\nkey = s3cret\n"
                + "[other]\nauth_address = https://k2/identity/\nuser = p:u\nkey = k\nuser_domain_name = Users\n"
                + "project_domain_id = d1\nauth_version = 3\n");
        SwiftOptions o = SwiftOptions.parse("objects", Map.of("swift_store_config_file", file.toString()));
        assertThat(o.reference()).isEqualTo("ref1");
        assertThat(o.project()).isEqualTo("service");
        assertThat(o.user()).isEqualTo("glance");
        assertThat(o.identityV3()).isEqualTo("http://keystone:5000/v3");
        assertThat(o.userDomainId()).isEqualTo("default");
        assertThat(o.projectDomainId()).isEqualTo("default");
        assertThat(o.container()).isEqualTo("glance");
        assertThat(o.createContainerOnPut()).isFalse();
        assertThat(o.largeObjectSize()).isEqualTo(5120L * 1024 * 1000); // 5120 "MB" of 1000 KiB
        assertThat(o.chunkSize()).isEqualTo(200L * 1024 * 1000);
        assertThat(o.keystoneInterface()).isEqualTo("public");
        assertThat(o.serviceType()).isEqualTo("object-store");
        assertThat(o.toString()).doesNotContain("s3cret");

        SwiftOptions other = SwiftOptions.parse("objects", Map.of("swift_store_config_file", file.toString(),
                "default_swift_reference", "other", "swift_store_endpoint_type", "internalURL",
                "swift_store_large_object_chunk_size", "5", "swift_store_container", "images"));
        assertThat(other.identityV3()).isEqualTo("https://k2/identity/v3");
        assertThat(other.userDomainId()).isEmpty();
        assertThat(other.userDomainName()).isEqualTo("Users");
        assertThat(other.projectDomainId()).isEqualTo("d1");
        assertThat(other.keystoneInterface()).isEqualTo("internal");
        assertThat(other.chunkSize()).isEqualTo(5_120_000);
        assertThat(new SwiftLayout(other).location("abc")).isEqualTo("swift+config://other/images/abc");
    }

    @Test
    void withoutAFileTheSectionsOwnDeprecatedOptionsAreTheReference() {
        SwiftOptions o = SwiftOptions.parse("objects", Map.of("swift_store_auth_address", "http://k/v3",
                "swift_store_user", "p:u", "swift_store_key", "k"));
        assertThat(o.project()).isEqualTo("p");
        assertThat(o.user()).isEqualTo("u");
    }

    @Test
    void refusesWhatCannotWorkNamingTheStore() throws Exception {
        Path file = references("[ref1]\nauth_address = http://k/v3\nuser = nocolon\nkey = k\n");
        assertThatThrownBy(() -> SwiftOptions.parse("objects", Map.of("swift_store_config_file", file.toString())))
                .hasMessageContaining("store 'objects'").hasMessageContaining("project:user");
        assertThatThrownBy(() -> SwiftOptions.parse("objects", Map.of("swift_store_config_file", file.toString(),
                "default_swift_reference", "missing"))).hasMessageContaining("'missing'");
        assertThatThrownBy(() -> SwiftOptions.parse("objects", Map.of())).hasMessageContaining("auth_address");
        Map<String, String> base = Map.of("swift_store_auth_address", "http://k/v3", "swift_store_user", "p:u",
                "swift_store_key", "k");
        for (Map.Entry<String, String> bad : Map.of("swift_store_auth_version", "1", "swift_store_large_object_chunk_size", "0",
                "swift_store_endpoint_type", "public", "swift_store_multi_tenant", "true",
                "swift_store_create_container_on_put", "maybe").entrySet()) {
            Map<String, String> o = new java.util.HashMap<>(base);
            o.put(bad.getKey(), bad.getValue());
            assertThatThrownBy(() -> SwiftOptions.parse("objects", o)).as(bad.getKey())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.getKey().replace("swift_store_", ""));
        }
    }

    @Test
    void namesThatLookLikeSegmentsAreRefused() {
        assertThatThrownBy(() -> SwiftLayout.object("image-00001")).isInstanceOf(IllegalArgumentException.class);
        assertThat(SwiftLayout.object("5f0c9a1e-2b7d-4c61-9e0a-3c1d2b4a5e6f")).isNotEmpty();
        assertThat(SwiftLayout.segment("abc", 7)).isEqualTo("abc-00007");
        assertThat(SwiftLayout.segmentOwner("abc-00007")).isEqualTo("abc");
        assertThat(SwiftLayout.segmentOwner("abc-7")).isNull();
    }

    @Test
    void uuidsWhoseLastGroupIsAllDigitsAreNoSegments() {
        // one random UUID in ~280: CI once drew 4cd58fe1-533c-49c9-9641-556689072532, refused as "ends like a segment"
        String id = "4cd58fe1-533c-49c9-9641-556689072532";
        assertThat(SwiftLayout.object(id)).isEqualTo(id);
        assertThat(SwiftLayout.segmentOwner(id)).isNull();
        assertThat(SwiftLayout.segmentOwner(SwiftLayout.segment(id, 3))).isEqualTo(id);
        assertThat(SwiftLayout.segmentOwner(SwiftLayout.segment(id, SwiftLayout.MAX_SEGMENTS))).isEqualTo(id);
        assertThatThrownBy(() -> SwiftLayout.segment(id, SwiftLayout.MAX_SEGMENTS + 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
