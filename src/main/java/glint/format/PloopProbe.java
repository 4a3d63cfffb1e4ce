package glint.format;

/**
 * Parallels/Virtuozzo ploop (qemu's "parallels"; not in oslo.utils): magic {@code WithoutFreeSpace} or
 * {@code WithouFreSpacExt} at 0, version 2, size in sectors at 36 (only its low 32 bits for the older magic), as in
 * qemu docs/interop/parallels.txt.
 */
final class PloopProbe extends Probe {
    private static final byte[] MAGIC = Bytes.ascii("WithoutFreeSpace");
    private static final byte[] MAGIC_EXT = Bytes.ascii("WithouFreSpacExt");
    private boolean match;
    private long virtualSize;

    PloopProbe() {
        super("ploop");
        want(0, 64, this::onHeader);
    }

    private void onHeader(Capture c) {
        byte[] h = c.data();
        boolean old = Bytes.matches(h, c.filled(), 0, MAGIC);
        if (!old && !Bytes.matches(h, c.filled(), 0, MAGIC_EXT)) {
            return;
        }
        match = true;
        if (c.filled() < 44) {
            fail(INCOMPLETE, "ploop header is truncated");
            return;
        }
        long version = Bytes.u32le(h, 16);
        if (version != 2) {
            fail("version", "ploop version " + version + " is not supported");
        }
        long sectors = Bytes.u64le(h, 36);
        if (old) {
            sectors &= 0xffffffffL;
        }
        virtualSize = Bytes.times(sectors, 512);
    }

    @Override
    Detected result(long size, Tail tail) {
        return match ? detected(virtualSize, "") : null;
    }
}
