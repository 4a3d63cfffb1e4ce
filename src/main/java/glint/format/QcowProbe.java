package glint.format;

/**
 * qcow2 (and the old qcow v1, which carries the same magic and is refused): the 104-byte v3 header (72 for v2),
 * then the header extensions as they stream past, up to the end of the first cluster as qemu reads them.
 * See qemu docs/interop/qcow2.txt.
 */
final class QcowProbe extends Probe {
    private static final byte[] MAGIC = {'Q', 'F', 'I', (byte) 0xfb};
    private static final int HEADER = 112;
    private static final long EXT_END = 0;
    private static final long EXT_DATA_FILE = 0x44415441L;
    /** Incompatible feature bits known to oslo.utils: dirty, corrupt, external data file, compression type. */
    private static final long KNOWN_INCOMPATIBLE = 0xfL;
    private static final long DATA_FILE_BIT = 1L << 2;

    private boolean match;
    private long version;
    private long virtualSize;
    private long extEnd;

    QcowProbe() {
        super("qcow2");
        keepAsPrefix(want(0, HEADER, this::onHeader));
    }

    private void onHeader(Capture c) {
        byte[] h = c.data();
        int n = c.filled();
        if (!Bytes.matches(h, n, 0, MAGIC)) {
            return;
        }
        match = true;
        if (n < 8) {
            fail(INCOMPLETE, "qcow2 header is truncated");
            return;
        }
        version = Bytes.u32be(h, 4);
        int need = version == 3 ? 104 : version == 2 ? 72 : 32;
        if (n < need) {
            fail(INCOMPLETE, "qcow2 header is truncated");
            return;
        }
        long backingOffset = Bytes.u64be(h, 8);
        if (backingOffset != 0) {
            fail("backing_file", "Image has a backing file");
        }
        virtualSize = Bytes.u64be(h, 24);
        if (version != 2 && version != 3) {
            fail("unknown_features", "Unsupported qcow2 version");
            return;
        }
        long clusterBits = Bytes.u32be(h, 20);
        if (clusterBits < 9 || clusterBits > 21) {
            fail("header", "Invalid cluster size");
            return;
        }
        long extStart = 72;
        if (version == 3) {
            long incompatible = Bytes.u64be(h, 72);
            if ((incompatible & DATA_FILE_BIT) != 0) {
                fail("data_file", "Image has data_file set");
            }
            if ((incompatible & ~KNOWN_INCOMPATIBLE) != 0) {
                fail("unknown_features", "Unknown QCOW2 features found");
            }
            extStart = Bytes.u32be(h, 100);
            if (extStart < 104) {
                fail("header", "qcow2 header length is too short");
                return;
            }
        }
        extEnd = 1L << clusterBits;
        if (backingOffset > 0 && backingOffset < extEnd) {
            extEnd = backingOffset;
        }
        walk(extStart);
    }

    private void walk(long offset) {
        if (offset + 8 <= extEnd) {
            want(offset, 8, c -> onExtension(offset, c));
        }
    }

    private void onExtension(long offset, Capture c) {
        if (c.missed()) {
            fail("header", "Header extensions could not be read");
            return;
        }
        if (!c.full()) {
            return;
        }
        long type = Bytes.u32be(c.data(), 0);
        long length = Bytes.u32be(c.data(), 4);
        if (type == EXT_END) {
            return;
        }
        if (type == EXT_DATA_FILE) {
            fail("data_file", "Image has data_file set");
        }
        walk(offset + 8 + ((length + 7) & ~7L));
    }

    @Override
    Detected result(long size, Tail tail) {
        return match ? detected(virtualSize, version == 2 || version == 3 ? "v" + version : "") : null;
    }
}
