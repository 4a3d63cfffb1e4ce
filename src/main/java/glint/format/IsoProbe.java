package glint.format;

/**
 * ISO 9660 / UDF: the volume descriptor at 32 KiB (after the 16 sectors of system area) carries {@code CD001},
 * {@code NSR02} or {@code NSR03}; a primary volume descriptor gives the volume size (blocks × block size).
 */
final class IsoProbe extends Probe {
    private static final long DESCRIPTOR = 32 * 1024;
    private static final byte[][] IDS = {Bytes.ascii("CD001"), Bytes.ascii("NSR02"), Bytes.ascii("NSR03")};
    private boolean match;
    private long virtualSize;

    IsoProbe() {
        super("iso");
        want(DESCRIPTOR, 2048, this::onDescriptor);
    }

    private void onDescriptor(Capture c) {
        byte[] d = c.data();
        boolean id = false;
        for (byte[] candidate : IDS) {
            id |= Bytes.matches(d, c.filled(), 1, candidate);
        }
        if (!id) {
            return;
        }
        match = true;
        if (!c.full()) {
            fail(INCOMPLETE, "ISO volume descriptor is truncated");
            return;
        }
        if (Bytes.u8(d, 0) == 1) {
            virtualSize = Bytes.u32le(d, 80) * Bytes.u16le(d, 128);
        }
    }

    @Override
    Detected result(long size, Tail tail) {
        return match ? detected(virtualSize, "") : null;
    }
}
