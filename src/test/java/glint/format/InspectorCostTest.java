package glint.format;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.DatabaseNeutral;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What inspection adds to an upload: 1 GiB of random data (one 1 MiB buffer fed 1024 times, then the same GiB in
 * 64 KiB pieces, Glance's chunk size) through {@link FormatInspector}. Prints the time per GiB; asserts nothing about
 * time (the machine is shared), only that it got through.
 */
@DatabaseNeutral
class InspectorCostTest {
    private static final long GIB = 1L << 30;

    /** The best of three runs (the machine is shared). */
    private static double secondsPerGib(String container, int piece, ByteBuffer buffer) {
        double best = Double.MAX_VALUE;
        for (int run = 0; run < 3; run++) {
            best = Math.min(best, once(container, piece, buffer));
        }
        return best;
    }

    private static double once(String container, int piece, ByteBuffer buffer) {
        FormatInspector inspector = FormatInspector.forContainer(container);
        long start = System.nanoTime();
        for (long fed = 0; fed < GIB; fed += piece) {
            ByteBuffer slice = buffer.duplicate();
            slice.position((int) (fed % buffer.capacity())).limit((int) (fed % buffer.capacity()) + piece);
            inspector.feed(slice);
        }
        Inspection inspection = inspector.finish();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(inspection.size()).isEqualTo(GIB);
        return seconds;
    }

    @Test
    void oneGibibyteCostsLittle() {
        byte[] random = new byte[1 << 20];
        new Random(1).nextBytes(random);
        ByteBuffer buffer = ByteBuffer.wrap(random);
        secondsPerGib("bare", 64 << 10, buffer); // warm-up
        for (int piece : new int[] {1 << 20, 64 << 10}) {
            double s = secondsPerGib("bare", piece, buffer);
            System.out.printf("format inspection: %.4f s per GiB in %d KiB pieces (bare)%n", s, piece >> 10);
        }
        byte[] tar = tarOfOneDisk(random);
        double s = secondsPerGib("ova", 1 << 20, ByteBuffer.wrap(tar));
        System.out.printf("format inspection: %.4f s per GiB in 1 MiB pieces (ova, random bytes past the tar "
            + "header: a truncated disk)%n", s);
    }

    /** 1 MiB whose first 512 bytes are a ustar header of one 1 TiB member named disk.img. */
    private static byte[] tarOfOneDisk(byte[] random) {
        byte[] tar = random.clone();
        java.util.Arrays.fill(tar, 0, 512, (byte) 0);
        Patch.ascii(tar, 0, "disk.img");
        Patch.ascii(tar, 124, "20000000000");
        tar[156] = '0';
        Patch.ascii(tar, 257, "ustar\0" + "00");
        Patch.ascii(tar, 148, "        ");
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[i] & 0xff;
        }
        Patch.ascii(tar, 148, String.format("%06o\0 ", sum));
        return tar;
    }
}
