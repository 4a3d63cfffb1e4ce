package glint.format;

import java.nio.charset.StandardCharsets;

/** Fixed-width integer reads from captured header bytes (unsigned values in a long; 64-bit values as raw bits). */
final class Bytes {
    private Bytes() {}

    static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    static int u16le(byte[] b, int off) {
        return u8(b, off) | u8(b, off + 1) << 8;
    }

    static int u16be(byte[] b, int off) {
        return u8(b, off) << 8 | u8(b, off + 1);
    }

    static long u32le(byte[] b, int off) {
        return (long) u16le(b, off) | (long) u16le(b, off + 2) << 16;
    }

    static long u32be(byte[] b, int off) {
        return (long) u16be(b, off) << 16 | u16be(b, off + 2);
    }

    static long u64le(byte[] b, int off) {
        return u32le(b, off) | u32le(b, off + 4) << 32;
    }

    static long u64be(byte[] b, int off) {
        return u32be(b, off) << 32 | u32be(b, off + 4);
    }

    /** Whether {@code b[off, off + magic.length)} exists within the first {@code filled} bytes and equals magic. */
    static boolean matches(byte[] b, int filled, int off, byte[] magic) {
        if (b == null || off + magic.length > filled) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (b[off + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code count × unit} in bytes, or -1 when that does not fit a signed long (count taken unsigned). */
    static long times(long count, long unit) {
        if (count < 0 || (count != 0 && Long.MAX_VALUE / count < unit)) {
            return -1;
        }
        return count * unit;
    }
}
