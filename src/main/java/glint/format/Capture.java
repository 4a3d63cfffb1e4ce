package glint.format;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A region of the stream a {@link Probe} wants: {@code length} bytes from {@code offset}, or (text) the bytes up to
 * the first NUL, at most {@code length}. Filled as the pieces pass; the probe's continuation runs once, when it is
 * full, when the stream ended first ({@link #cut}) or when its start had already gone by ({@link #missed}).
 */
final class Capture {
    final long offset;
    final int length;
    private final boolean untilNul;
    final Consumer<Capture> then;
    /** The stream offset at which the probe asked: data before it had gone by (unless a prefix holds it). */
    final long born;
    private byte[] data;
    private int filled;
    private boolean full;
    private boolean cut;
    private boolean missed;
    boolean notified;

    Capture(long offset, int length, boolean untilNul, Consumer<Capture> then, long born) {
        this.offset = offset;
        this.born = born;
        this.length = length;
        this.untilNul = untilNul;
        this.then = then;
        if (length == 0) {
            full = true;
        }
    }

    long next() {
        return offset + filled;
    }

    boolean waiting() {
        return !full && !cut && !missed;
    }

    /** The bytes captured (the array may be longer than {@link #filled()}). */
    byte[] data() {
        return data == null ? new byte[0] : data;
    }

    int filled() {
        return filled;
    }

    /** All {@code length} bytes (or, for text, the bytes up to a NUL) are there. */
    boolean full() {
        return full;
    }

    /** The stream ended before the region did. */
    boolean cut() {
        return cut;
    }

    /** The region started before the data still passing: it can never be captured. */
    boolean missed() {
        return missed;
    }

    byte[] bytes() {
        return Arrays.copyOf(data(), filled);
    }

    int allocated() {
        return data == null ? 0 : data.length;
    }

    void markCut() {
        cut = true;
    }

    void markMissed() {
        missed = true;
    }

    /** Copies up to {@code n} bytes from {@code src} at absolute index {@code at}; a text region stops at a NUL. */
    void take(ByteBuffer src, int at, int n) {
        int want = Math.min(n, length - filled);
        if (want <= 0) {
            return;
        }
        ensure(filled + want);
        src.get(at, data, filled, want);
        if (untilNul) {
            for (int i = filled; i < filled + want; i++) {
                if (data[i] == 0) {
                    filled = i;
                    full = true;
                    return;
                }
            }
        }
        filled += want;
        if (filled == length) {
            full = true;
        }
    }

    /** Copies bytes already held elsewhere (a probe's header prefix). */
    void takeArray(byte[] src, int from, int n) {
        take(ByteBuffer.wrap(src), from, n);
    }

    private void ensure(int size) {
        if (data == null) {
            data = new byte[untilNul ? Math.min(length, Math.max(size, 4096)) : length];
        } else if (data.length < size) {
            data = Arrays.copyOf(data, Math.min(length, Math.max(size, data.length * 2)));
        }
    }
}
