package glint.format;

/**
 * LUKS: version 1 (what qemu's luks driver reads and writes) is accepted, its virtual size being the data after the
 * payload offset; any other version (LUKS2, which qemu does not read) fails oslo.utils' {@code version} check.
 */
final class LuksProbe extends Probe {
    private static final byte[] MAGIC = {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe};
    private boolean match;
    private int version;
    private long payloadOffset = -1;

    LuksProbe() {
        super("luks");
        want(0, 108, this::onHeader);
    }

    private void onHeader(Capture c) {
        byte[] h = c.data();
        if (!Bytes.matches(h, c.filled(), 0, MAGIC)) {
            return;
        }
        match = true;
        if (c.filled() < 8) {
            fail(INCOMPLETE, "LUKS header is truncated");
            return;
        }
        version = Bytes.u16be(h, 6);
        if (version != 1) {
            fail("version", "LUKS version " + version + " is not supported");
            return;
        }
        if (!c.full()) {
            fail(INCOMPLETE, "LUKS header is truncated");
            return;
        }
        payloadOffset = Bytes.u32be(h, 104) * 512;
    }

    @Override
    Detected result(long size, Tail tail) {
        if (!match) {
            return null;
        }
        long virtualSize = 0;
        if (payloadOffset >= 0) {
            if (payloadOffset > size) {
                fail(INCOMPLETE, "LUKS payload offset is beyond the end of the data");
            } else {
                virtualSize = size - payloadOffset;
            }
        }
        return detected(virtualSize, version == 0 ? "" : "v" + version);
    }
}
