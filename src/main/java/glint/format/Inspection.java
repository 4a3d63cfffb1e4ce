package glint.format;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link FormatInspector} found in a stream of {@code size} bytes: every format whose signature matched
 * ({@code raw} alone when nothing else did) and, for an {@code ova} container, what the tar holds.
 *
 * @param archive present for {@code ova} only; {@code matches} then describes the whole stream (a well-formed tar
 *     is {@code raw})
 */
public record Inspection(long size, List<Detected> matches, Optional<Archive> archive) {
    public Inspection {
        matches = List.copyOf(matches);
        Objects.requireNonNull(archive);
    }

    public Inspection(long size, List<Detected> matches) {
        this(size, matches, Optional.empty());
    }

    /**
     * An OVA's tar contents: each disk member (every regular file but the {@code .ovf}, {@code .mf} and
     * {@code .cert} descriptors) with its own inspection, in archive order, and, when the tar could not be read
     * through or held no disk, why.
     */
    public record Archive(List<Disk> disks, Optional<String> fault) {
        public Archive {
            disks = List.copyOf(disks);
            Objects.requireNonNull(fault);
        }
    }

    /** One disk member of an OVA: its path in the tar and the inspection of its data. */
    public record Disk(String name, Inspection inspection) {}
}
