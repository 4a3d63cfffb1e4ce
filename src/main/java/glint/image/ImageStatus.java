package glint.image;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Glance's image statuses and the transitions between them ({@code glance/domain/__init__.py: valid_state_targets}). */
public enum ImageStatus {
    QUEUED, SAVING, ACTIVE, KILLED, DELETED, PENDING_DELETE, DEACTIVATED, UPLOADING, IMPORTING;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ImageStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    public Set<ImageStatus> targets() {
        return switch (this) {
            case QUEUED -> EnumSet.of(SAVING, UPLOADING, IMPORTING, ACTIVE, DELETED);
            // a failed upload goes back to queued; killed is legacy but still a valid target
            case SAVING -> EnumSet.of(ACTIVE, KILLED, DELETED, QUEUED);
            case UPLOADING -> EnumSet.of(IMPORTING, QUEUED, DELETED);
            case IMPORTING -> EnumSet.of(ACTIVE, DELETED, QUEUED);
            case ACTIVE -> EnumSet.of(PENDING_DELETE, DELETED, DEACTIVATED);
            case KILLED -> EnumSet.of(DELETED);
            case PENDING_DELETE -> EnumSet.of(DELETED, ACTIVE);
            case DEACTIVATED -> EnumSet.of(ACTIVE, DELETED);
            case DELETED -> EnumSet.noneOf(ImageStatus.class);
        };
    }

    public boolean canBecome(ImageStatus target) {
        return targets().contains(target);
    }
}
