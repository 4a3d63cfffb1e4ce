package glint.data;

import glint.error.ErrorKind;
import glint.error.GlintException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One byte range of an image download, parsed as Glance does ({@code Request.get_range_from_request} in
 * glance/common/wsgi.py with webob's {@code Range.parse}): {@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}.
 */
public record ByteRange(long offset, long length, long total) {
    private static final Pattern RANGE = Pattern.compile("^\\s*bytes\\s*=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*$", Pattern.CASE_INSENSITIVE);

    /** {@code Content-Range} response value. */
    public String contentRange() {
        return "bytes " + offset + "-" + (offset + length - 1) + "/" + total;
    }

    /** The range a {@code Range} header asks for in an image of {@code size} bytes; empty when there is no header. */
    public static Optional<ByteRange> parse(String header, long size) {
        if (header == null) {
            return Optional.empty();
        }
        if (header.contains(",")) {
            throw GlintException.badRequest("Requests with multiple ranges are not supported in Glance. "
                    + "You may make multiple single-range requests instead.");
        }
        Matcher m = RANGE.matcher(header);
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            throw unsatisfiable("Invalid Range header.");
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0) {
                    throw unsatisfiable("Invalid Range header.");
                }
                long offset = suffix < size ? size - suffix : 0;
                return Optional.of(new ByteRange(offset, size - offset, size));
            }
            long start = Long.parseLong(m.group(1));
            if (start >= size) {
                throw unsatisfiable("Invalid start position in Range header. Start position MUST be in the inclusive range [0, "
                        + (size - 1) + "].");
            }
            if (m.group(2).isEmpty()) {
                return Optional.of(new ByteRange(start, size - start, size));
            }
            long end = Long.parseLong(m.group(2)) + 1;
            if (start >= end) {
                throw unsatisfiable("Invalid Range header.");
            }
            long stop = Math.min(end, size);
            return Optional.of(new ByteRange(start, stop - start, size));
        } catch (NumberFormatException e) {
            throw unsatisfiable("Invalid Range header.");
        }
    }

    private static GlintException unsatisfiable(String message) {
        return new GlintException(ErrorKind.RANGE_NOT_SATISFIABLE, message);
    }
}
