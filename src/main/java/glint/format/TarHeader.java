package glint.format;

import java.nio.charset.StandardCharsets;

/**
 * One 512-byte tar header, read as Python's tarfile reads it (which Glance's OVA import uses): checksum (unsigned
 * or signed sum), octal or base-256 size, ustar prefix, and the overrides earlier pax ({@code x}) or GNU long-name
 * ({@code L}) headers left for this member.
 *
 * @param kind what the member's data is
 * @param end the all-zero end-of-archive block
 * @param fault why the header is unreadable, or null
 */
record TarHeader(Kind kind, String name, long size, boolean sparse, boolean end, String fault) {
    enum Kind { FILE, NO_DATA, SKIP, PAX, LONG_NAME }

    private static TarHeader fault(String why) {
        return new TarHeader(Kind.SKIP, "", 0, false, false, why);
    }

    static TarHeader parse(byte[] h, Overrides o, long at) {
        boolean zero = true;
        for (byte b : h) {
            zero &= b == 0;
        }
        if (zero) {
            return new TarHeader(Kind.SKIP, "", 0, false, true, null);
        }
        long stored = number(h, 148, 8);
        if (stored < 0 || !checksumMatches(h, stored)) {
            return fault("OVA data is not a valid tar archive (bad header checksum at offset " + at + ")");
        }
        long size = number(h, 124, 12);
        if (size < 0) {
            return fault("OVA tar archive has an invalid member size at offset " + at);
        }
        char type = (char) (h[156] & 0xff);
        switch (type) {
            case 'x':
                return new TarHeader(Kind.PAX, "", size, false, false, null);
            case 'L':
                return new TarHeader(Kind.LONG_NAME, "", size, false, false, null);
            case 'g', 'K':
                return new TarHeader(Kind.SKIP, "", size, false, false, null);
            default:
                break;
        }
        String name = o.name(type, h);
        long effective = o.paxSize >= 0 ? o.paxSize : size;
        boolean sparse = type == 'S' || o.paxSparse;
        o.clear();
        if (type >= '1' && type <= '6') {
            return new TarHeader(Kind.NO_DATA, name, 0, false, false, null);
        }
        if (sparse) {
            // An old GNU sparse member stores its map after the header; its data is not the file in order.
            return new TarHeader(Kind.FILE, name, size, true, false, null);
        }
        return new TarHeader(Kind.FILE, name, effective, false, false, null);
    }

    private static boolean checksumMatches(byte[] h, long stored) {
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < h.length; i++) {
            int b = i >= 148 && i < 156 ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += i >= 148 && i < 156 ? ' ' : h[i];
        }
        return stored == unsigned || stored == signed;
    }

    /** An octal (NUL/space terminated) or base-256 field; -1 when malformed or out of range. */
    static long number(byte[] h, int off, int len) {
        if ((h[off] & 0x80) != 0) {
            if (h[off] == (byte) 0xff) {
                return -1;
            }
            long v = h[off] & 0x7f;
            for (int i = off + 1; i < off + len; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    return -1;
                }
                v = v << 8 | (h[i] & 0xff);
            }
            return v;
        }
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        String s = new String(h, off, end - off, StandardCharsets.ISO_8859_1).strip();
        if (s.isEmpty()) {
            return 0;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7' || v > (Long.MAX_VALUE >> 3)) {
                return -1;
            }
            v = v << 3 | (c - '0');
        }
        return v;
    }

    static String text(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /** What pax and GNU long-name headers set for the next member. */
    static final class Overrides {
        String paxPath;
        long paxSize = -1;
        boolean paxSparse;
        String longName;
        String sparseName;

        String name(char type, byte[] h) {
            if (sparseName != null) {
                return sparseName;
            }
            if (paxPath != null) {
                return paxPath;
            }
            if (longName != null) {
                return longName;
            }
            String name = text(h, 0, 100);
            String prefix = text(h, 345, 155);
            return prefix.isEmpty() || type == 'S' ? name : prefix + "/" + name;
        }

        void clear() {
            paxPath = null;
            paxSize = -1;
            paxSparse = false;
            longName = null;
            sparseName = null;
        }

        void longName(byte[] data, int length) {
            longName = text(data, 0, length);
        }

        /** Reads pax records ({@code "<len> <key>=<value>\n"}); returns why they are malformed, or null. */
        String readPax(byte[] data, int length) {
            int at = 0;
            while (at < length) {
                int space = at;
                while (space < length && data[space] >= '0' && data[space] <= '9' && space - at < 9) {
                    space++;
                }
                if (space == at || space >= length || data[space] != ' ') {
                    return "OVA tar archive has a malformed pax header";
                }
                int recordLength = Integer.parseInt(new String(data, at, space - at, StandardCharsets.US_ASCII));
                int recordEnd = at + recordLength;
                if (recordLength <= space - at || recordEnd > length || data[recordEnd - 1] != '\n') {
                    return "OVA tar archive has a malformed pax header";
                }
                String record = new String(data, space + 1, recordEnd - space - 2, StandardCharsets.UTF_8);
                int eq = record.indexOf('=');
                if (eq < 0) {
                    return "OVA tar archive has a malformed pax header";
                }
                String key = record.substring(0, eq);
                String value = record.substring(eq + 1);
                if (key.equals("path")) {
                    paxPath = value;
                } else if (key.equals("size")) {
                    paxSize = parseSize(value);
                    if (paxSize < 0) {
                        return "OVA tar archive has a malformed pax size";
                    }
                } else if (key.startsWith("GNU.sparse.")) {
                    paxSparse = true;
                    if (key.equals("GNU.sparse.name")) {
                        sparseName = value;
                    }
                }
                at = recordEnd;
            }
            return null;
        }

        private static long parseSize(String value) {
            if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return -1;
            }
            return Long.parseLong(value);
        }
    }
}
