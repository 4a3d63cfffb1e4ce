package glint.task;

import java.util.Locale;

/** Glance's task statuses (glance/domain/__init__.py {@code Task}): pending → processing → success | failure. */
public enum TaskStatus {
    PENDING, PROCESSING, SUCCESS, FAILURE;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TaskStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }

    public boolean finished() {
        return this == SUCCESS || this == FAILURE;
    }
}
