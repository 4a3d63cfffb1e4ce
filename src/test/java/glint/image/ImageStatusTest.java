package glint.image;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.DatabaseNeutral;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** Glance's valid_state_targets, transition by transition (glance/domain/__init__.py). */
@DatabaseNeutral
class ImageStatusTest {
    @Test
    void transitionsAreExactlyGlances() {
        assertThat(ImageStatus.QUEUED.targets()).containsExactlyInAnyOrderElementsOf(EnumSet.of(
                ImageStatus.SAVING, ImageStatus.UPLOADING, ImageStatus.IMPORTING, ImageStatus.ACTIVE, ImageStatus.DELETED));
        assertThat(ImageStatus.SAVING.targets()).containsExactlyInAnyOrder(
                ImageStatus.ACTIVE, ImageStatus.KILLED, ImageStatus.DELETED, ImageStatus.QUEUED);
        assertThat(ImageStatus.UPLOADING.targets()).containsExactlyInAnyOrder(
                ImageStatus.IMPORTING, ImageStatus.QUEUED, ImageStatus.DELETED);
        assertThat(ImageStatus.IMPORTING.targets()).containsExactlyInAnyOrder(
                ImageStatus.ACTIVE, ImageStatus.DELETED, ImageStatus.QUEUED);
        assertThat(ImageStatus.ACTIVE.targets()).containsExactlyInAnyOrder(
                ImageStatus.PENDING_DELETE, ImageStatus.DELETED, ImageStatus.DEACTIVATED);
        assertThat(ImageStatus.KILLED.targets()).containsExactly(ImageStatus.DELETED);
        assertThat(ImageStatus.PENDING_DELETE.targets()).containsExactlyInAnyOrder(ImageStatus.DELETED, ImageStatus.ACTIVE);
        assertThat(ImageStatus.DEACTIVATED.targets()).containsExactlyInAnyOrder(ImageStatus.ACTIVE, ImageStatus.DELETED);
        assertThat(ImageStatus.DELETED.targets()).isEmpty();
    }

    @Test
    void wireNamesRoundTrip() {
        for (ImageStatus s : ImageStatus.values()) {
            assertThat(ImageStatus.fromWire(s.wire())).isEqualTo(s);
            assertThat(s.wire()).isLowerCase();
        }
        assertThat(ImageStatus.PENDING_DELETE.wire()).isEqualTo("pending_delete");
    }
}
