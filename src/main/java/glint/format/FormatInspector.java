package glint.format;

import java.nio.ByteBuffer;

/**
 * Watches one image's data stream past, once and in order, and tells afterwards what it is: the content-based
 * format detection of oslo.utils' {@code imageutils/format_inspector.py} ({@code InspectWrapper}), in a single pass
 * with bounded memory whatever the image size.
 *
 * <p>Contract used by the byte path ({@code glint.data.UploadPipeline}):
 * <ul>
 *   <li>{@link #feed} is called with every byte of the data, in order, on one thread. It reads the bytes between
 *       the buffer's position and limit and changes neither (callers pass a duplicate anyway). It must be cheap:
 *       past the header regions it only keeps the tail the footers need.</li>
 *   <li>{@link #finish} is called once after the last byte and says what matched.</li>
 * </ul>
 * Never throws for any content: a format that does not match, or whose structures are garbage, is simply not in the
 * result (or carries a safety failure). Feeding after {@link #finish}, or finishing twice, is an
 * {@link IllegalStateException}.
 */
public final class FormatInspector {
    /**
     * Upper bound of {@link #retainedBytes()} for any stream: a disk scan holds at most about 1.1 MiB (the vmdk
     * descriptor's 1 MiB cap dominates); an OVA runs two (the whole stream and the current member) plus a 64 KiB
     * pax header.
     */
    static final long RETAINED_CAP = 3L << 20;

    private final Scan scan;

    private FormatInspector(Scan scan) {
        this.scan = scan;
    }

    /**
     * An inspector for data of this container format: {@code ova} inspects the disk inside the tar as it streams;
     * every other container (bare, ovf, ami, ari, aki, docker, compressed, or none) is inspected as the disk itself.
     */
    public static FormatInspector forContainer(String containerFormat) {
        return new FormatInspector("ova".equals(containerFormat) ? new OvaScan() : new DiskScan());
    }

    public void feed(ByteBuffer data) {
        scan.feed(data);
    }

    public Inspection finish() {
        return scan.finish();
    }

    /** Bytes held for inspection right now; never above {@link #RETAINED_CAP}. */
    long retainedBytes() {
        return scan.retainedBytes();
    }
}
