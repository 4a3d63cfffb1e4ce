package glint.format;

import java.util.List;

/**
 * What {@link FormatInspector} found in a stream of {@code size} bytes: every format whose signature matched
 * ({@code raw} alone when nothing else did).
 */
public record Inspection(long size, List<Detected> matches) {
    public Inspection {
        matches = List.copyOf(matches);
    }
}
