package glint.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs every format's {@link Probe} over one stream. A piece goes to a probe only when it overlaps a region the
 * probe still waits for; once no probe waits for anything, a piece costs one copy of at most its last
 * {@value Tail#SIZE} bytes into the tail.
 */
final class DiskScan implements Scan {
    private final Probe[] probes = Probe.all();
    private final Tail tail = new Tail();
    private long size;
    private boolean headersDone;
    private boolean finished;

    @Override
    public void feed(ByteBuffer data) {
        if (finished) {
            throw new IllegalStateException("the inspection is finished");
        }
        int n = data.remaining();
        if (n == 0) {
            return;
        }
        long end = size + n;
        if (!headersDone) {
            boolean waiting = false;
            for (Probe p : probes) {
                if (p.nextWanted() < end) {
                    p.feed(data, size);
                }
                waiting |= p.nextWanted() != Long.MAX_VALUE;
            }
            headersDone = !waiting;
        }
        tail.add(data);
        size = end;
    }

    @Override
    public Inspection finish() {
        if (finished) {
            throw new IllegalStateException("the inspection is finished");
        }
        finished = true;
        List<Detected> found = new ArrayList<>();
        for (Probe p : probes) {
            p.end(size);
            Detected d = p.result(size, tail);
            if (d != null) {
                found.add(d);
            }
        }
        if (found.isEmpty()) {
            found.add(new Detected("raw", size, Map.of()));
        }
        return new Inspection(size, found);
    }

    /** Whether every probe has all the regions it asked for (only the tail is still being kept). */
    boolean headersDone() {
        return headersDone;
    }

    @Override
    public long retainedBytes() {
        long n = Tail.SIZE;
        for (Probe p : probes) {
            n += p.retainedBytes();
        }
        return n;
    }
}
