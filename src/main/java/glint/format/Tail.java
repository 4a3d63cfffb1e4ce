package glint.format;

import java.nio.ByteBuffer;

/** The last {@value #SIZE} bytes of the stream, for the structures formats keep at the end (VHD, vmdk footer). */
final class Tail {
    static final int SIZE = 1536;
    private final byte[] ring = new byte[SIZE];
    private int head;
    private int filled;

    /** Copies at most the last {@value #SIZE} bytes of the piece; position and limit are left alone. */
    void add(ByteBuffer piece) {
        int n = piece.remaining();
        int pos = piece.position();
        if (n >= SIZE) {
            piece.get(pos + n - SIZE, ring, 0, SIZE);
            head = 0;
            filled = SIZE;
            return;
        }
        int first = Math.min(n, SIZE - head);
        piece.get(pos, ring, head, first);
        piece.get(pos + first, ring, 0, n - first);
        head = (head + n) % SIZE;
        filled = Math.min(SIZE, filled + n);
    }

    /** The last {@code k} bytes (fewer when the stream was shorter). */
    byte[] last(int k) {
        int n = Math.min(k, filled);
        byte[] out = new byte[n];
        int start = Math.floorMod(head - n, SIZE);
        int first = Math.min(n, SIZE - start);
        System.arraycopy(ring, start, out, 0, first);
        System.arraycopy(ring, 0, out, first, n - first);
        return out;
    }
}
