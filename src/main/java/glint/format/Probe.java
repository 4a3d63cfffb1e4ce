package glint.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Recognises one format from the regions of the stream it asks for ({@link #want}): fixed-offset headers first, then
 * regions located by header fields. It sees only the pieces that overlap a region it still waits for, so once every
 * region is in, the stream goes past it at no cost. Never throws for any content: garbage is either not this format
 * ({@link #result} is null) or this format with a safety failure.
 */
abstract class Probe {
    /** Failure key for data that ends before the structures needed to judge it. */
    static final String INCOMPLETE = "incomplete";

    private final String name;
    private final ArrayList<Capture> pending = new ArrayList<>(4);
    private long window;
    private Capture prefix;
    protected final Map<String, String> failures = new LinkedHashMap<>();

    Probe(String name) {
        this.name = name;
    }

    final String name() {
        return name;
    }

    /** The probes of every format, in oslo.utils' ALL_FORMATS order (ploop last). */
    static Probe[] all() {
        return new Probe[] {new QcowProbe(), new VhdProbe(), new VhdxProbe(), new VmdkProbe(), new VdiProbe(),
            new QedProbe(), new IsoProbe(), new MbrProbe(), new LuksProbe(), new PloopProbe()};
    }

    /** Asks for {@code length} bytes from {@code offset}; {@code then} runs once they are in (or cannot be). */
    protected final Capture want(long offset, int length, Consumer<Capture> then) {
        return add(new Capture(offset, Math.max(0, length), false, then, window));
    }

    /** Asks for the bytes from {@code offset} up to the first NUL (excluded), at most {@code max}. */
    protected final Capture wantText(long offset, int max, Consumer<Capture> then) {
        return add(new Capture(offset, Math.max(0, max), true, then, window));
    }

    /** Later regions that start inside this one (a header) are served from its bytes. */
    protected final void keepAsPrefix(Capture header) {
        prefix = header;
    }

    /**
     * The stream offset from which data can still be captured: in a continuation, the end of the region that ran
     * it (whatever the piece boundaries, so the result does not depend on them); before any, 0.
     */
    protected final long window() {
        return window;
    }

    protected final void fail(String check, String reason) {
        failures.putIfAbsent(check, reason);
    }

    private Capture add(Capture c) {
        if (prefix != null && c.offset >= 0 && c.offset < prefix.filled()) {
            int from = (int) c.offset;
            c.takeArray(prefix.data(), from, prefix.filled() - from);
        }
        pending.add(c);
        return c;
    }

    /** The lowest stream offset a pending region still needs, or Long.MAX_VALUE when none. */
    final long nextWanted() {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < pending.size(); i++) {
            Capture c = pending.get(i);
            next = Math.min(next, c.waiting() ? c.next() : Long.MIN_VALUE);
        }
        return next;
    }

    /** One piece of the stream, which starts at stream offset {@code start}; position and limit are left alone. */
    final void feed(ByteBuffer piece, long start) {
        long end = start + piece.remaining();
        int base = piece.position();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int i = 0; i < pending.size(); i++) {
                Capture c = pending.get(i);
                if (c.notified) {
                    continue;
                }
                if (c.waiting()) {
                    long next = c.next();
                    if (next < c.born || next < start) {
                        c.markMissed();
                    } else if (next < end) {
                        c.take(piece, base + (int) (next - start), (int) (end - next));
                    }
                }
                if (!c.waiting()) {
                    notify(c);
                    progress = true;
                }
            }
            pending.removeIf(c -> c.notified);
        }
    }

    private void notify(Capture c) {
        c.notified = true;
        window = c.next();
        c.then.accept(c);
    }

    /** The stream ended after {@code size} bytes: regions still pending run with what they have. */
    final void end(long size) {
        for (int round = 0; round < 64 && !pending.isEmpty(); round++) {
            List<Capture> now = new ArrayList<>(pending);
            pending.clear();
            for (Capture c : now) {
                if (c.waiting()) {
                    if (c.next() < c.born || c.next() < size) {
                        c.markMissed();
                    } else {
                        c.markCut();
                    }
                }
                notify(c);
            }
        }
        pending.clear();
    }

    /** Bytes this probe holds: pending regions, its header prefix and what {@link #kept()} reports. */
    final long retainedBytes() {
        long n = kept();
        for (Capture c : pending) {
            n += c.allocated();
        }
        if (prefix != null && !pending.contains(prefix)) {
            n += prefix.allocated();
        }
        return n;
    }

    /** Bytes of completed regions a subclass still refers to, beyond its prefix. */
    long kept() {
        return 0;
    }

    /** What the stream of {@code size} bytes is for this format, or null when it is not this format. */
    abstract Detected result(long size, Tail tail);

    protected final Detected detected(long virtualSize, String subformat) {
        long vs = virtualSize;
        if (vs < 0) {
            fail("virtual_size", "Virtual size out of range");
            vs = 0;
        }
        return new Detected(name, vs, failures, subformat);
    }
}
