package glint.testing;

import glint.store.BlobStore;
import glint.store.ByteSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic pseudo-random test data of any size, produced and checked without holding it in memory: byte
 * {@code i} of stream {@code seed} is always the same, so a digest over the expected bytes can be recomputed.
 */
public final class TestBytes {
    private TestBytes() {}

    /** Bytes {@code [offset, offset + length)} of a blob, read through its store into memory. */
    public static byte[] readBack(BlobStore store, String location, long offset, long length) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.read(location, offset, length, buf -> {
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            out.write(b);
        });
        return out.toByteArray();
    }

    /** Byte {@code i} of data set {@code seed}. */
    public static byte at(long seed, long i) {
        return (byte) (word(seed, i >>> 3) >>> ((i & 7) * 8));
    }

    private static long word(long seed, long n) {
        long x = n * 0x9E3779B97F4A7C15L + seed * 0xC2B2AE3D27D4EB4FL;
        x ^= x >>> 31;
        x *= 0xBF58476D1CE4E5B9L;
        x ^= x >>> 29;
        return x;
    }

    public static byte[] bytes(long seed, int size) {
        byte[] b = new byte[size];
        fill(seed, 0, b, 0, size);
        return b;
    }

    static void fill(long seed, long from, byte[] b, int off, int len) {
        long x = word(seed, from >>> 3);
        for (int k = 0; k < len; k++) {
            long i = from + k;
            if ((i & 7) == 0) {
                x = word(seed, i >>> 3);
            }
            b[off + k] = (byte) (x >>> ((i & 7) * 8));
        }
    }

    /** Hex digest ({@code MessageDigest} name) over {@code size} bytes of data set {@code seed}. */
    public static String digest(String jdkAlgorithm, long seed, long size) {
        try {
            MessageDigest d = MessageDigest.getInstance(jdkAlgorithm);
            byte[] buf = new byte[1 << 16];
            for (long pos = 0; pos < size; pos += buf.length) {
                int n = (int) Math.min(buf.length, size - pos);
                fill(seed, pos, buf, 0, n);
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code size} bytes of data set {@code seed}, handed out at most {@code maxRead} bytes per read (like a chunked
     * body arriving in pieces). {@link #consumed()} tells how much was read.
     */
    public static final class Stream extends InputStream {
        private final long seed;
        private final long size;
        private final int maxRead;
        private long pos;

        public Stream(long seed, long size, int maxRead) {
            this.seed = seed;
            this.size = size;
            this.maxRead = maxRead;
        }

        @Override
        public int read() {
            return pos < size ? at(seed, pos++) & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pos >= size) {
                return -1;
            }
            int n = (int) Math.min(Math.min(len, maxRead), size - pos);
            fill(seed, pos, b, off, n);
            pos += n;
            return n;
        }

        public long consumed() {
            return pos;
        }
    }

    /** A sink that checks what it receives against data set {@code seed} from {@code offset} on, keeping nothing. */
    public static final class CheckingSink implements ByteSink {
        private final long seed;
        private long next;
        private long received;
        private long buffers;
        private long largestBuffer;

        public CheckingSink(long seed, long offset) {
            this.seed = seed;
            this.next = offset;
        }

        @Override
        public void write(ByteBuffer buffer) {
            largestBuffer = Math.max(largestBuffer, buffer.remaining());
            buffers++;
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                if (b != at(seed, next)) {
                    throw new AssertionError("byte " + next + " differs");
                }
                next++;
                received++;
            }
        }

        public long received() {
            return received;
        }

        public long largestBuffer() {
            return largestBuffer;
        }

        public long buffers() {
            return buffers;
        }
    }
}
