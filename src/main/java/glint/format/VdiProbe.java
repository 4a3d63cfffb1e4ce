package glint.format;

/** VirtualBox VDI: signature 0xbeda107f at 0x40, disk size at 0x170 (qemu block/vdi.c). */
final class VdiProbe extends Probe {
    private static final long SIGNATURE = 0xbeda107fL;
    private boolean match;
    private long virtualSize;

    VdiProbe() {
        super("vdi");
        want(0, 0x178, this::onHeader);
    }

    private void onHeader(Capture c) {
        if (c.filled() < 0x44 || Bytes.u32le(c.data(), 0x40) != SIGNATURE) {
            return;
        }
        match = true;
        if (!c.full()) {
            fail(INCOMPLETE, "VDI header is truncated");
            return;
        }
        virtualSize = Bytes.u64le(c.data(), 0x170);
    }

    @Override
    Detected result(long size, Tail tail) {
        return match ? detected(virtualSize, "") : null;
    }
}
