package glint.format;

/** QED: recognised only to be refused (oslo.utils' "banned" check); its image size is at offset 48. */
final class QedProbe extends Probe {
    private static final byte[] MAGIC = {'Q', 'E', 'D', 0};
    private boolean match;
    private long virtualSize;

    QedProbe() {
        super("qed");
        want(0, 56, this::onHeader);
    }

    private void onHeader(Capture c) {
        if (!Bytes.matches(c.data(), c.filled(), 0, MAGIC)) {
            return;
        }
        match = true;
        fail("banned", "This file format is not allowed");
        if (c.full()) {
            virtualSize = Bytes.u64le(c.data(), 48);
        }
    }

    @Override
    Detected result(long size, Tail tail) {
        return match ? detected(virtualSize, "") : null;
    }
}
