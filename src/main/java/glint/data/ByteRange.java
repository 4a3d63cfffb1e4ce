package glint.data;

import glint.error.ErrorKind;
import glint.error.GlintException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of an image a download asks for: {@code length} bytes from {@code offset} of {@code total}. Parsed as
 * Glance's {@code GET /v2/images/{id}/file} does (glance/common/wsgi.py {@code get_range_from_request}, webob's
 * {@code byterange.Range.parse}, glance/api/v2/image_data.py {@code ResponseSerializer.download}): one range of
 * {@code Range: bytes=a-b | a- | -n}, answered with 206 and {@link #contentRange()}; or, for old clients and only
 * without {@code Range}, a {@code Content-Range: bytes a-b/len} request header.
 */
public record ByteRange(long offset, long length, long total) {
    // webob: re.match (a prefix match: trailing text is ignored), spaces around '=' and '-', any case
    private static final Pattern RANGE = Pattern.compile("bytes *= *([0-9]*) *- *([0-9]*)", Pattern.CASE_INSENSITIVE);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (?:([0-9]+)-([0-9]+)|[*])/(?:([0-9]+)|[*])");

    public ByteRange {
        if (offset < 0 || length < 0 || offset + length > total) {
            throw new IllegalArgumentException("bad range " + offset + "+" + length + " of " + total);
        }
    }

    /** Position of the last byte (inclusive), as in {@code Content-Range}. */
    public long last() {
        return offset + length - 1;
    }

    /** The {@code Content-Range} response header: {@code bytes first-last/total}. */
    public String contentRange() {
        return "bytes " + offset + "-" + last() + "/" + total;
    }

    /** {@link #parse(String, String, long)} without a {@code Content-Range} request header. */
    public static Optional<ByteRange> parse(String range, long size) {
        return parse(range, null, size);
    }

    /**
     * The range a download asks for in an image of {@code size} bytes; empty for the whole image (no header).
     *
     * @param range the {@code Range} request header, or null
     * @param contentRange the {@code Content-Range} request header, or null; used only without {@code Range}
     * @throws GlintException BAD_REQUEST for several ranges; RANGE_NOT_SATISFIABLE for a malformed header or a start
     *     at or past the end, with Glance's messages
     */
    public static Optional<ByteRange> parse(String range, String contentRange, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        if (range != null) {
            return fromRange(range, size);
        }
        if (contentRange != null) {
            return Optional.of(fromContentRange(contentRange, size));
        }
        return Optional.empty();
    }

    private static Optional<ByteRange> fromRange(String header, long size) {
        if (header.contains(",")) {
            throw GlintException.badRequest("Requests with multiple ranges are not supported in Glance. "
                    + "You may make multiple single-range requests instead.");
        }
        Matcher m = RANGE.matcher(header);
        if (!m.lookingAt() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            // "bytes=-" makes webob fail with a ValueError (a 500 in Glance); it is just as malformed as the rest
            throw unsatisfiable("Invalid Range header.");
        }
        if (m.group(1).isEmpty()) {
            // suffix: the last n bytes, or all of them if there are fewer. webob turns "-0" into start 0, so Glance
            // sends the whole image (206) for it, unless the image is empty.
            long suffix = number(m.group(2));
            if (suffix == 0) {
                requireStartBefore(0, size, "Range");
                return Optional.of(new ByteRange(0, size, size));
            }
            if (size == 0) {
                // RFC 9110 §14.1.1: satisfiable, but there is no byte to name in a Content-Range: send the (empty) image
                return Optional.empty();
            }
            long offset = suffix < size ? size - suffix : 0;
            return Optional.of(new ByteRange(offset, size - offset, size));
        }
        long start = number(m.group(1));
        long stop = size;
        if (!m.group(2).isEmpty()) {
            stop = number(m.group(2)) + 1; // exclusive, as webob
            if (start >= stop) {
                throw unsatisfiable("Invalid Range header.");
            }
        }
        requireStartBefore(start, size, "Range");
        return Optional.of(new ByteRange(start, Math.min(stop, size) - start, size));
    }

    private static ByteRange fromContentRange(String header, long size) {
        Matcher m = CONTENT_RANGE.matcher(header);
        // "bytes */…" parses in webob but then fails in Glance (a 500): no range is named, so it is invalid here
        if (!m.lookingAt() || m.group(1) == null) {
            throw unsatisfiable("Invalid Content-Range header.");
        }
        long start = number(m.group(1));
        long stop = number(m.group(2)) + 1;
        boolean valid = start < stop && (m.group(3) == null || stop <= number(m.group(3)));
        if (!valid) {
            throw unsatisfiable("Invalid Content-Range header.");
        }
        // Glance checks the stop only when the length is '*' and then sends fewer bytes than it announces; a stop
        // past the end is refused here either way.
        if (stop > size) {
            throw unsatisfiable("Invalid stop position in Content-Range header. The stop position MUST be in the "
                    + "inclusive range [0, " + (size - 1) + "].");
        }
        requireStartBefore(start, size, "Content-Range");
        return new ByteRange(start, stop - start, size);
    }

    private static void requireStartBefore(long start, long size, String header) {
        if (start >= size) {
            throw unsatisfiable("Invalid start position in " + header + " header. Start position MUST be in the "
                    + "inclusive range [0, " + (size - 1) + "].");
        }
    }

    /** Digits to a number; too many digits saturate (Python's ints don't overflow: such positions are just past any end). */
    private static long number(String digits) {
        try {
            return Math.min(Long.parseLong(digits), Long.MAX_VALUE - 1);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE - 1;
        }
    }

    private static GlintException unsatisfiable(String message) {
        return new GlintException(ErrorKind.RANGE_NOT_SATISFIABLE, message);
    }
}
