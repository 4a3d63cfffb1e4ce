package glint.format;

/**
 * VHDX: identifier {@code vhdxfile} at 0; the region table at 192 KiB names the metadata region; its table names the
 * Virtual Disk Size item (MS-VHDX 2.2-2.6). Each step is a region located by the previous one and captured as it
 * streams past: the table header, then its entries (at most 2047 of 32 bytes each), then the 8-byte size. A
 * metadata table that lists a parent locator (a differencing disk) fails {@code parent}.
 */
final class VhdxProbe extends Probe {
    private static final byte[] IDENT = Bytes.ascii("vhdxfile");
    private static final long REGION_TABLE = 192 * 1024;
    private static final long REGION_SIGNATURE = 0x69676572L; // "regi"
    private static final byte[] METADATA_SIGNATURE = Bytes.ascii("metadata");
    private static final int MAX_ENTRIES = 2047;
    private static final byte[] METADATA_REGION = guid("8B7CA206-4790-4B9A-B8FE-575F050F886E");
    private static final byte[] VIRTUAL_DISK_SIZE = guid("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
    private static final byte[] PARENT_LOCATOR = guid("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C");

    private boolean match;
    private boolean sized;
    private long virtualSize;
    private long metadataOffset;

    VhdxProbe() {
        super("vhdx");
        want(0, IDENT.length, this::onIdent);
    }

    /** A GUID as stored on disk: the first three groups little-endian, the last two as written. */
    static byte[] guid(String text) {
        String hex = text.replace("-", "");
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return new byte[] {b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13],
            b[14], b[15]};
    }

    private void onIdent(Capture c) {
        if (!Bytes.matches(c.data(), c.filled(), 0, IDENT)) {
            return;
        }
        match = true;
        want(REGION_TABLE, 16, this::onRegionHeader);
    }

    private boolean usable(Capture c, String what) {
        if (c.full()) {
            return true;
        }
        fail(c.cut() ? INCOMPLETE : "header", what + (c.cut() ? " is truncated" : " could not be read"));
        return false;
    }

    private void onRegionHeader(Capture c) {
        if (!usable(c, "VHDX region table")) {
            return;
        }
        if (Bytes.u32le(c.data(), 0) != REGION_SIGNATURE) {
            fail("header", "VHDX region table signature not found");
            return;
        }
        long count = Bytes.u32le(c.data(), 8);
        if (count > MAX_ENTRIES) {
            fail("header", "VHDX region count is over the limit of " + MAX_ENTRIES);
            return;
        }
        want(REGION_TABLE + 16, (int) count * 32, this::onRegionEntries);
    }

    private void onRegionEntries(Capture c) {
        if (!usable(c, "VHDX region table")) {
            return;
        }
        byte[] e = c.data();
        for (int at = 0; at + 32 <= c.filled(); at += 32) {
            if (Bytes.matches(e, c.filled(), at, METADATA_REGION)) {
                metadataOffset = Bytes.u64le(e, at + 16);
                want(metadataOffset, 32, this::onMetadataHeader);
                return;
            }
        }
        fail("header", "VHDX metadata region not found");
    }

    private void onMetadataHeader(Capture c) {
        if (!usable(c, "VHDX metadata table")) {
            return;
        }
        if (!Bytes.matches(c.data(), c.filled(), 0, METADATA_SIGNATURE)) {
            fail("header", "VHDX metadata table signature not found");
            return;
        }
        int count = Bytes.u16le(c.data(), 10);
        if (count > MAX_ENTRIES) {
            fail("header", "VHDX metadata item count is over the limit of " + MAX_ENTRIES);
            return;
        }
        want(metadataOffset + 32, count * 32, this::onMetadataEntries);
    }

    private void onMetadataEntries(Capture c) {
        if (!usable(c, "VHDX metadata table")) {
            return;
        }
        byte[] e = c.data();
        long sizeItem = -1;
        for (int at = 0; at + 32 <= c.filled(); at += 32) {
            if (Bytes.matches(e, c.filled(), at, PARENT_LOCATOR)) {
                fail("parent", "Differencing VHDX refers to a parent disk");
            }
            if (sizeItem < 0 && Bytes.matches(e, c.filled(), at, VIRTUAL_DISK_SIZE)) {
                if (Bytes.u32le(e, at + 20) != 8) {
                    fail("header", "VHDX virtual disk size item has the wrong length");
                    return;
                }
                sizeItem = metadataOffset + Bytes.u32le(e, at + 16);
            }
        }
        if (sizeItem < 0) {
            fail("header", "VHDX virtual disk size not found");
            return;
        }
        long tableStart = metadataOffset + 32;
        if (sizeItem < window() && sizeItem >= tableStart && sizeItem + 8 <= tableStart + c.filled()) {
            readSize(e, (int) (sizeItem - tableStart));
        } else {
            want(sizeItem, 8, this::onSize);
        }
    }

    private void onSize(Capture c) {
        if (usable(c, "VHDX virtual disk size")) {
            readSize(c.data(), 0);
        }
    }

    private void readSize(byte[] b, int at) {
        virtualSize = Bytes.u64le(b, at);
        sized = true;
    }

    @Override
    Detected result(long size, Tail tail) {
        if (!match) {
            return null;
        }
        if (!sized && failures.isEmpty()) {
            fail(INCOMPLETE, "VHDX virtual disk size not found");
        }
        return detected(virtualSize, "");
    }
}
