package glint.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import glint.api.schema.ImageSchemas;
import glint.api.schema.SchemaValidator;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.image.ImageChange;
import glint.image.NewImage;
import glint.testing.DatabaseNeutral;
import java.util.List;
import org.junit.jupiter.api.Test;

@DatabaseNeutral
class ImageRequestsTest {
    private final ObjectMapper json = new ObjectMapper();
    private final ImageRequests requests = new ImageRequests(
            new ImageSchemas(json, List.of("raw", "qcow2"), List.of("bare", "ovf")), new SchemaValidator(), json);

    private ErrorKind kindOf(Runnable r) {
        try {
            r.run();
        } catch (GlintException e) {
            return e.kind();
        }
        throw new AssertionError("no error");
    }

    private NewImage create(String body) {
        return requests.create(tree(body));
    }

    private List<ImageChange> patch(String type, String body) {
        return requests.patch(type, tree(body));
    }

    private com.fasterxml.jackson.databind.JsonNode tree(String body) {
        try {
            return json.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void createSeparatesBaseAttributesFromExtraProperties() {
        NewImage image = create("{\"name\":\"cirros\",\"disk_format\":\"qcow2\",\"container_format\":\"bare\","
                + "\"min_ram\":64,\"tags\":[\"a\",\"a\"],\"os_distro\":\"cirros\",\"hw_disk_bus\":\"virtio\"}");
        assertThat(image.name()).contains("cirros");
        assertThat(image.minRam()).contains(64);
        assertThat(image.properties()).containsOnlyKeys("os_distro", "hw_disk_bus");
        assertThat(image.tags()).containsExactly("a", "a");
    }

    @Test
    void createRefusesWhatGlanceRefuses() {
        assertThat(kindOf(() -> create("{\"status\":\"active\"}"))).isEqualTo(ErrorKind.FORBIDDEN);
        assertThat(kindOf(() -> create("{\"checksum\":\"abc\"}"))).isEqualTo(ErrorKind.FORBIDDEN);
        assertThat(kindOf(() -> create("{\"self\":\"/x\"}"))).isEqualTo(ErrorKind.FORBIDDEN);
        assertThat(kindOf(() -> create("{\"os_glance_importing\":\"x\"}"))).isEqualTo(ErrorKind.FORBIDDEN);
        assertThat(kindOf(() -> create("{\"deleted\":\"x\"}"))).isEqualTo(ErrorKind.FORBIDDEN);
        assertThat(kindOf(() -> create("{\"disk_format\":\"floppy\"}"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> create("{\"id\":\"not-a-uuid\"}"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> create("{\"min_ram\":\"64\"}"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> create("{\"extra\":42}"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> create("{\"name\":\"" + "x".repeat(256) + "\"}"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> create("[1]"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> create("{\"" + "k".repeat(256) + "\":\"v\"}"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> create("{\"\":\"v\"}"))).isEqualTo(ErrorKind.BAD_REQUEST);
    }

    @Test
    void patchDialectsAndPointers() {
        List<ImageChange> changes = patch(ImageRequests.PATCH_V21,
                "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"n\"},{\"op\":\"add\",\"path\":\"/a~1b\",\"value\":\"v\"},"
                        + "{\"op\":\"remove\",\"path\":\"/gone\"}]");
        assertThat(changes).extracting(ImageChange::attribute).containsExactly("name", "a/b", "gone");
        assertThat(patch(ImageRequests.PATCH_V20, "[{\"add\":\"/k\",\"value\":\"v\"}]").get(0).draft4()).isTrue();

        assertThat(kindOf(() -> patch("application/json", "[]"))).isEqualTo(ErrorKind.UNSUPPORTED_MEDIA_TYPE);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "{}"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "[{\"op\":\"move\",\"path\":\"/a\"}]"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "[{\"op\":\"add\",\"path\":\"/a\"}]"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "[{\"op\":\"add\",\"path\":\"a\",\"value\":\"v\"}]"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":\"v\"}]"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "[{\"op\":\"add\",\"path\":\"/a~2\",\"value\":\"v\"}]"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"active\"}]"))).isEqualTo(ErrorKind.FORBIDDEN);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "[{\"op\":\"replace\",\"path\":\"/min_disk\",\"value\":\"1\"}]"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "[{\"op\":\"replace\",\"path\":\"/visibility\",\"value\":\"secret\"}]"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "[{\"op\":\"add\",\"path\":\"/os_glance_x\",\"value\":\"v\"}]"))).isEqualTo(ErrorKind.FORBIDDEN);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "[{\"op\":\"add\",\"path\":\"/min_ram\",\"value\":99999999999}]"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "[\"x\"]"))).isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "[{\"op\":\"add\",\"path\":\"/\",\"value\":\"v\"}]")))
                .as("empty property name").isEqualTo(ErrorKind.BAD_REQUEST);
        assertThat(kindOf(() -> patch(ImageRequests.PATCH_V21, "[{\"op\":\"add\",\"path\":\"/" + "k".repeat(256)
                + "\",\"value\":\"v\"}]"))).as("name longer than the column").isEqualTo(ErrorKind.BAD_REQUEST);
    }
}
