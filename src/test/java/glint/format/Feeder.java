package glint.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;

/** Feeds test data to a {@link FormatInspector}: whole, or in random pieces through differently shaped buffers. */
final class Feeder {
    static final int MAX_PIECE = 1 << 20;

    private Feeder() {}

    static Inspection whole(byte[] data, String container) {
        FormatInspector inspector = FormatInspector.forContainer(container);
        inspector.feed(ByteBuffer.wrap(data));
        return inspector.finish();
    }

    /** A piece size between 1 and 1 MiB, log-uniform: as many pieces under 1 KiB as over. */
    static int pieceSize(Random rnd) {
        return (int) Math.max(1, Math.min(MAX_PIECE, Math.round(Math.exp(rnd.nextDouble() * Math.log(MAX_PIECE)))));
    }

    /** Feeds in random pieces; checks that feed leaves position and limit alone. */
    static Inspection pieces(byte[] data, String container, Random rnd) {
        FormatInspector inspector = FormatInspector.forContainer(container);
        int at = 0;
        while (at < data.length) {
            int n = Math.min(pieceSize(rnd), data.length - at);
            ByteBuffer piece = buffer(data, at, n, rnd);
            int position = piece.position();
            int limit = piece.limit();
            inspector.feed(piece);
            assertThat(piece.position()).isEqualTo(position);
            assertThat(piece.limit()).isEqualTo(limit);
            assertThat(inspector.retainedBytes()).isLessThanOrEqualTo(FormatInspector.RETAINED_CAP);
            at += n;
        }
        return inspector.finish();
    }

    /** {@code data[at, at + n)} in a heap buffer with a non-zero position, a direct buffer or a plain wrap. */
    private static ByteBuffer buffer(byte[] data, int at, int n, Random rnd) {
        switch (rnd.nextInt(3)) {
            case 0: {
                int pad = rnd.nextInt(16);
                byte[] copy = new byte[n + 2 * pad];
                rnd.nextBytes(copy);
                System.arraycopy(data, at, copy, pad, n);
                return ByteBuffer.wrap(copy, pad, n);
            }
            case 1: {
                ByteBuffer direct = ByteBuffer.allocateDirect(n);
                direct.put(data, at, n).flip();
                return direct;
            }
            default:
                return ByteBuffer.wrap(data, at, n).slice();
        }
    }

    /** Inspects whole and in random pieces for a few seeds, checks every way gives the same, returns it. */
    static Inspection inspect(byte[] data, String container) {
        Inspection whole = whole(data, container);
        for (long seed = 1; seed <= 3; seed++) {
            assertThat(pieces(data, container, new Random(seed * 7919 + data.length)))
                .as("inspection in random pieces (seed %d)", seed).isEqualTo(whole);
        }
        return whole;
    }

    static Inspection inspect(byte[] data) {
        return inspect(data, "bare");
    }
}
