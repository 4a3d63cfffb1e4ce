package glint.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An OVA: a tar read header by header as it streams (ustar, pax {@code x} headers, GNU long names), each member's
 * data going to a nested {@link DiskScan}. Disk members (regular files other than {@code .ovf}, {@code .mf},
 * {@code .cert}) are reported for judging; the descriptor members must not be disk images themselves. The whole
 * stream is scanned too, so a tar that is also a disk image is seen. Bounded: one 512-byte header, at most
 * {@value #MAX_META} bytes of pax header or long name, one member scan at a time, at most {@value #MAX_DISKS} disks.
 */
final class OvaScan implements Scan {
    static final int MAX_DISKS = 16;
    static final int MAX_META = 64 * 1024;
    private static final int BLOCK = 512;

    private enum State { HEADER, DATA, PAD, END }

    private enum Sink { SKIP, PAX, LONG_NAME, DISK, DESCRIPTOR }

    private final DiskScan whole = new DiskScan();
    private final byte[] header = new byte[BLOCK];
    private int headerFill;
    private State state = State.HEADER;
    private Sink sink;
    private long remaining;
    private long memberSize;
    private int padding;
    private byte[] meta;
    private int metaFill;
    private String memberName;
    private DiskScan member;
    private final TarHeader.Overrides overrides = new TarHeader.Overrides();
    private final List<Inspection.Disk> disks = new ArrayList<>();
    private String fault;
    private long position;
    private boolean finished;

    @Override
    public void feed(ByteBuffer data) {
        if (finished) {
            throw new IllegalStateException("the inspection is finished");
        }
        whole.feed(data);
        int pos = data.position();
        int limit = data.limit();
        long base = position;
        position += data.remaining();
        while (pos < limit && fault == null && state != State.END) {
            switch (state) {
                case HEADER -> {
                    int take = Math.min(BLOCK - headerFill, limit - pos);
                    data.get(pos, header, headerFill, take);
                    headerFill += take;
                    pos += take;
                    if (headerFill == BLOCK) {
                        headerFill = 0;
                        onHeader(base + pos - data.position() - BLOCK);
                    }
                }
                case DATA -> {
                    int take = (int) Math.min(remaining, limit - pos);
                    route(data.slice(pos, take));
                    pos += take;
                    remaining -= take;
                    if (remaining == 0) {
                        endMember();
                    }
                }
                case PAD -> {
                    int take = Math.min(padding, limit - pos);
                    pos += take;
                    padding -= take;
                    if (padding == 0) {
                        state = State.HEADER;
                    }
                }
                case END -> { }
            }
        }
    }

    private void onHeader(long at) {
        TarHeader h = TarHeader.parse(header, overrides, at);
        if (h.fault() != null) {
            fault = h.fault();
            return;
        }
        if (h.end()) {
            state = State.END;
            return;
        }
        memberName = h.name();
        memberSize = h.size();
        switch (h.kind()) {
            case PAX, LONG_NAME -> {
                if (h.size() > MAX_META) {
                    fault = "OVA tar archive has an extended header over " + MAX_META + " bytes";
                    return;
                }
                meta = new byte[(int) h.size()];
                metaFill = 0;
                start(h.kind() == TarHeader.Kind.PAX ? Sink.PAX : Sink.LONG_NAME, h.size());
            }
            case SKIP -> start(Sink.SKIP, h.size());
            case NO_DATA -> state = State.HEADER;
            case FILE -> file(h);
        }
    }

    private void file(TarHeader h) {
        String lower = h.name().toLowerCase(Locale.ROOT);
        boolean descriptor = lower.endsWith(".ovf") || lower.endsWith(".mf") || lower.endsWith(".cert");
        if (lower.endsWith("/")) {
            start(Sink.SKIP, h.size());
            return;
        }
        if (h.sparse()) {
            fault = "OVA member " + h.name() + " is stored sparse, which is not supported";
            return;
        }
        if (!descriptor && disks.size() >= MAX_DISKS) {
            fault = "OVA holds more than " + MAX_DISKS + " disk images";
            return;
        }
        member = new DiskScan();
        start(descriptor ? Sink.DESCRIPTOR : Sink.DISK, h.size());
    }

    private void start(Sink to, long size) {
        sink = to;
        remaining = size;
        padding = (int) ((BLOCK - size % BLOCK) % BLOCK);
        state = State.DATA;
        if (size == 0) {
            endMember();
        }
    }

    private void route(ByteBuffer piece) {
        switch (sink) {
            case PAX, LONG_NAME -> {
                piece.get(piece.position(), meta, metaFill, piece.remaining());
                metaFill += piece.remaining();
            }
            case DISK, DESCRIPTOR -> member.feed(piece);
            case SKIP -> { }
        }
    }

    private void endMember() {
        switch (sink) {
            case PAX -> {
                String problem = overrides.readPax(meta, metaFill);
                if (problem != null) {
                    fault = problem;
                }
            }
            case LONG_NAME -> overrides.longName(meta, metaFill);
            case DISK -> disks.add(new Inspection.Disk(memberName, member.finish()));
            case DESCRIPTOR -> {
                Inspection inside = member.finish();
                Detected first = inside.matches().get(0);
                if (!first.format().equals("raw")) {
                    fault = "OVA member " + memberName + " is a " + first.format() + " image";
                }
            }
            case SKIP -> { }
        }
        meta = null;
        member = null;
        state = padding > 0 ? State.PAD : State.HEADER;
    }

    @Override
    public Inspection finish() {
        if (finished) {
            throw new IllegalStateException("the inspection is finished");
        }
        finished = true;
        Inspection stream = whole.finish();
        if (fault == null && (state == State.DATA || headerFill > 0)) {
            fault = "OVA tar archive is truncated";
        }
        if (fault == null && disks.isEmpty()) {
            fault = "OVA holds no disk image";
        }
        return new Inspection(stream.size(), stream.matches(),
            Optional.of(new Inspection.Archive(disks, Optional.ofNullable(fault))));
    }

    @Override
    public long retainedBytes() {
        long n = whole.retainedBytes() + BLOCK + (meta == null ? 0 : meta.length);
        return n + (member == null ? 0 : member.retainedBytes());
    }

    static String utf8(byte[] b, int from, int length) {
        return new String(b, from, length, StandardCharsets.UTF_8);
    }
}
