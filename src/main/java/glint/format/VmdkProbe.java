package glint.format;

/**
 * vmdk. A hosted sparse extent ({@code KDMV} header, versions 1-3) must carry its descriptor at sector 1, read as
 * qemu reads it: up to the first NUL, at most 1 MiB - 1; a header whose grain directory is at the end
 * ({@code GD_AT_END}, streamOptimized as VMware writes it) needs the footer, footer marker and end-of-stream marker
 * in the last 1536 bytes, checked as oslo.utils does. Data whose first 64-512 bytes are printable ASCII and which
 * names a {@code createType} is a descriptor file: its extents live in other files, so it is always refused.
 */
final class VmdkProbe extends Probe {
    private static final byte[] MAGIC = Bytes.ascii("KDMV");
    private static final int HEADER = 512;
    private static final int MIN_HEADER = 64;
    private static final int DESCRIPTOR_MAX = (1 << 20) - 1;
    private static final long GD_AT_END = -1L;
    private static final int FOOTER_REGION = 1536;

    private boolean sparse;
    private boolean text;
    private byte[] header;
    private long capacity;
    private boolean needFooter;
    private VmdkDescriptor descriptor;

    VmdkProbe() {
        super("vmdk");
        keepAsPrefix(want(0, HEADER, this::onHeader));
    }

    private void onHeader(Capture c) {
        byte[] h = c.data();
        int n = c.filled();
        if (Bytes.matches(h, n, 0, MAGIC)) {
            sparse = true;
            if (n < MIN_HEADER) {
                fail(INCOMPLETE, "vmdk header is truncated");
                return;
            }
            header = h;
            long version = Bytes.u32le(h, 4);
            if (version < 1 || version > 3) {
                fail("descriptor", "Unsupported vmdk version " + version);
                return;
            }
            capacity = Bytes.u64le(h, 12);
            needFooter = Bytes.u64le(h, 56) == GD_AT_END;
            if (Bytes.u64le(h, 28) != 1) {
                fail("descriptor", "Wrong descriptor location");
                return;
            }
            wantText(HEADER, DESCRIPTOR_MAX, d -> descriptor = VmdkDescriptor.parse(d.data(), d.filled()));
        } else if (n >= MIN_HEADER && printable(h, n)) {
            text = true;
            if (!c.full()) {
                descriptor = VmdkDescriptor.parse(h, n);
                return;
            }
            wantText(HEADER, DESCRIPTOR_MAX - HEADER, d -> {
                byte[] all = new byte[HEADER + d.filled()];
                System.arraycopy(h, 0, all, 0, HEADER);
                System.arraycopy(d.data(), 0, all, HEADER, d.filled());
                descriptor = VmdkDescriptor.parse(all, all.length);
            });
        }
    }

    /** Python's {@code isprintable() or isspace()} over ASCII, as oslo.utils tests the start of the data. */
    private static boolean printable(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            int x = b[i] & 0xff;
            if (!(x >= 0x20 && x <= 0x7e) && !(x >= 0x09 && x <= 0x0d) && !(x >= 0x1c && x <= 0x1f)) {
                return false;
            }
        }
        return true;
    }

    @Override
    Detected result(long size, Tail tail) {
        if (text) {
            if (descriptor == null || !descriptor.hasType()) {
                return null;
            }
            fail("descriptor", descriptor.problem() != null && descriptor.problem().equals("Unsupported subformat")
                ? descriptor.problem() : "Descriptor file without an embedded extent");
            return detected(0, descriptor.createType());
        }
        if (!sparse) {
            return null;
        }
        if (failures.isEmpty() && descriptor == null) {
            fail("descriptor", "No descriptor found");
        }
        String type = "";
        long sectors = 0;
        if (descriptor != null) {
            type = descriptor.createType();
            if (descriptor.problem() != null) {
                fail("descriptor", descriptor.problem());
            } else {
                sectors = capacity;
            }
        }
        if (needFooter && header != null) {
            Long footerCapacity = checkFooter(tail.last(FOOTER_REGION));
            if (footerCapacity != null && descriptor != null && descriptor.problem() == null) {
                sectors = footerCapacity;
            }
        }
        return detected(Bytes.times(sectors, 512), type);
    }

    /** oslo.utils' footer check; returns the footer's capacity when the footer is sound. */
    private Long checkFooter(byte[] t) {
        if (t.length < FOOTER_REGION) {
            fail(INCOMPLETE, "vmdk footer is truncated");
            return null;
        }
        int f = 512;
        if (!Bytes.matches(t, t.length, f, MAGIC)) {
            fail("footer", "Header and footer signature do not match");
        } else if (Bytes.u32le(t, f + 4) != Bytes.u32le(header, 4)) {
            fail("footer", "Header and footer versions do not match");
        } else if (Bytes.u64le(t, f + 28) != Bytes.u64le(header, 28)
            || Bytes.u64le(t, f + 36) != Bytes.u64le(header, 36)) {
            fail("footer", "Footer specifies a different descriptor than header");
        } else if (Bytes.u64le(t, f + 56) == GD_AT_END) {
            fail("footer", "Footer indicates another footer");
        } else if (!marker(t, 0, 3, false)) {
            fail("footer", "Footer marker is invalid");
        } else if (!marker(t, 1024, 0, true)) {
            fail("footer", "End-of-stream marker is invalid");
        } else {
            return Bytes.u64le(t, f + 12);
        }
        return null;
    }

    private static boolean marker(byte[] t, int at, long type, boolean zeroValue) {
        if ((zeroValue && Bytes.u64le(t, at) != 0) || Bytes.u32le(t, at + 8) != 0 || Bytes.u32le(t, at + 12) != type) {
            return false;
        }
        for (int i = at + 16; i < at + 512; i++) {
            if (t[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
