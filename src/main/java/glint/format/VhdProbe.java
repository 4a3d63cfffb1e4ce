package glint.format;

/**
 * VHD (qemu's vpc): a dynamic disk has a copy of its 512-byte footer at offset 0; a fixed disk has the footer only
 * at the end of the data, where it is found from the stream's tail (with a valid checksum, as qemu requires). The
 * virtual size is qemu's: the CHS geometry for images written by Virtual PC or qemu, the footer's current size for
 * every other creator or when the geometry is the maximum.
 */
final class VhdProbe extends Probe {
    private static final byte[] COOKIE = Bytes.ascii("conectix");
    private static final int FOOTER = 512;
    private static final long TYPE_FIXED = 2;
    private static final long TYPE_DIFFERENCING = 4;
    private static final long MAX_GEOMETRY = 65535L * 16 * 255;

    private boolean headMatch;
    private long virtualSize;
    private String subformat = "dynamic";

    VhdProbe() {
        super("vhd");
        want(0, FOOTER, this::onHead);
    }

    private void onHead(Capture c) {
        if (!Bytes.matches(c.data(), c.filled(), 0, COOKIE)) {
            return;
        }
        headMatch = true;
        if (!c.full()) {
            fail(INCOMPLETE, "VHD footer is truncated");
            return;
        }
        byte[] footer = c.data();
        if (Bytes.u32be(footer, 60) == TYPE_DIFFERENCING) {
            fail("parent", "Differencing VHD refers to a parent disk");
        }
        virtualSize = virtualSize(footer);
    }

    static long virtualSize(byte[] footer) {
        long sectors = (long) Bytes.u16be(footer, 56) * Bytes.u8(footer, 58) * Bytes.u8(footer, 59);
        boolean chs = Bytes.matches(footer, FOOTER, 28, Bytes.ascii("vpc "))
            || Bytes.matches(footer, FOOTER, 28, Bytes.ascii("qemu"));
        if (!chs || sectors == MAX_GEOMETRY) {
            long current = Bytes.u64be(footer, 48);
            if (current < 0) {
                return -1;
            }
            sectors = current / 512;
        }
        return sectors * 512;
    }

    static boolean checksumValid(byte[] footer) {
        long sum = 0;
        for (int i = 0; i < FOOTER; i++) {
            if (i < 64 || i >= 68) {
                sum += footer[i] & 0xff;
            }
        }
        return ((~sum) & 0xffffffffL) == Bytes.u32be(footer, 64);
    }

    @Override
    Detected result(long size, Tail tail) {
        if (headMatch) {
            return detected(virtualSize, subformat);
        }
        byte[] footer = tail.last(FOOTER);
        if (footer.length == FOOTER && Bytes.matches(footer, FOOTER, 0, COOKIE) && checksumValid(footer)
            && Bytes.u32be(footer, 60) == TYPE_FIXED) {
            subformat = "fixed";
            return detected(virtualSize(footer), subformat);
        }
        return null;
    }
}
