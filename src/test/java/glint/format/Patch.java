package glint.format;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Byte-level edits of test images. */
final class Patch {
    private Patch() {}

    static byte[] copy(byte[] b) {
        return b.clone();
    }

    static byte[] head(byte[] b, int n) {
        return Arrays.copyOf(b, n);
    }

    static void be32(byte[] b, int off, long v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    static void be64(byte[] b, int off, long v) {
        be32(b, off, v >>> 32);
        be32(b, off + 4, v);
    }

    static void le16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    static void le32(byte[] b, int off, long v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    static void le64(byte[] b, int off, long v) {
        le32(b, off, v);
        le32(b, off + 4, v >>> 32);
    }

    static void ascii(byte[] b, int off, String s) {
        byte[] a = s.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(a, 0, b, off, a.length);
    }

    /** Index of the first occurrence of {@code s} in {@code b}, or -1. */
    static int find(byte[] b, String s) {
        byte[] a = s.getBytes(StandardCharsets.ISO_8859_1);
        outer:
        for (int i = 0; i + a.length <= b.length; i++) {
            for (int j = 0; j < a.length; j++) {
                if (b[i + j] != a[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
