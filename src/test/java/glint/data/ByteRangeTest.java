package glint.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.testing.DatabaseNeutral;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Expected values follow Glance 25.1 (wsgi.get_range_from_request, image_data.ResponseSerializer.download) and webob 1.8. */
@DatabaseNeutral
class ByteRangeTest {
    private static final String INVALID = "Invalid Range header.";

    @ParameterizedTest(name = "{0} of {1} bytes → {2}")
    @CsvSource(delimiter = '|', value = {
            "bytes=0-4        | 10 | bytes 0-4/10",
            "bytes=0-0        | 10 | bytes 0-0/10",
            "bytes=9-9        | 10 | bytes 9-9/10",
            "bytes=3-         | 10 | bytes 3-9/10",
            "bytes=0-         | 10 | bytes 0-9/10",
            "bytes=2-100      | 10 | bytes 2-9/10",
            "bytes=-3         | 10 | bytes 7-9/10",
            "bytes=-10        | 10 | bytes 0-9/10",
            "bytes=-11        | 10 | bytes 0-9/10",
            "bytes=-0         | 10 | bytes 0-9/10",
            "BYTES = 1 - 2    | 10 | bytes 1-2/10",
            "bytes=1-2;junk   | 10 | bytes 1-2/10",
            "bytes=0-99999999999999999999999 | 10 | bytes 0-9/10",
            "bytes=-99999999999999999999999  | 10 | bytes 0-9/10",
            "bytes=1073741824-2147483647 | 4294967296 | bytes 1073741824-2147483647/4294967296",
    })
    void satisfiableRanges(String header, long size, String contentRange) {
        ByteRange r = ByteRange.parse(header, size).orElseThrow();
        assertThat(r.contentRange()).isEqualTo(contentRange);
        assertThat(r.total()).isEqualTo(size);
        assertThat(r.offset() + r.length() - 1).isEqualTo(r.last());
    }

    @Test
    void offsetAndLength() {
        assertThat(ByteRange.parse("bytes=2-5", 10)).contains(new ByteRange(2, 4, 10));
        assertThat(ByteRange.parse("bytes=-4", 10)).contains(new ByteRange(6, 4, 10));
    }

    @Test
    void noHeaderMeansTheWholeImage() {
        assertThat(ByteRange.parse(null, 10)).isEmpty();
        assertThat(ByteRange.parse(null, null, 10)).isEmpty();
    }

    @ParameterizedTest(name = "{0} of {1} bytes → 416 {2}")
    @CsvSource(delimiter = '|', value = {
            "bytes=10-       | 10 | Invalid start position in Range header. Start position MUST be in the inclusive range [0, 9].",
            "bytes=10-20     | 10 | Invalid start position in Range header. Start position MUST be in the inclusive range [0, 9].",
            "bytes=99999999999999999999- | 10 | Invalid start position in Range header. Start position MUST be in the inclusive range [0, 9].",
            "bytes=0-        | 0  | Invalid start position in Range header. Start position MUST be in the inclusive range [0, -1].",
            "bytes=-0        | 0  | Invalid start position in Range header. Start position MUST be in the inclusive range [0, -1].",
            "bytes=5-4       | 10 | " + INVALID,
            "bytes=-         | 10 | " + INVALID,
            "bytes=a-b       | 10 | " + INVALID,
            "items=0-4       | 10 | " + INVALID,
            "bytes 0-4       | 10 | " + INVALID,
            "' bytes=0-4'    | 10 | " + INVALID,
            "''              | 10 | " + INVALID,
    })
    void unsatisfiableRanges(String header, long size, String message) {
        assertThatThrownBy(() -> ByteRange.parse(header, size))
                .isInstanceOfSatisfying(GlintException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.RANGE_NOT_SATISFIABLE))
                .hasMessage(message);
    }

    @Test
    void severalRangesAreABadRequest() {
        assertThatThrownBy(() -> ByteRange.parse("bytes=0-1,3-4", 10))
                .isInstanceOfSatisfying(GlintException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_REQUEST))
                .hasMessage("Requests with multiple ranges are not supported in Glance. You may make multiple single-range "
                        + "requests instead.");
    }

    @Test
    void aSuffixOfAnEmptyImageIsTheWholeEmptyImage() {
        assertThat(ByteRange.parse("bytes=-5", 0)).isEmpty();
    }

    @Test
    void contentRangeRequestHeaderForOldClients() {
        assertThat(ByteRange.parse(null, "bytes 2-5/10", 10)).contains(new ByteRange(2, 4, 10));
        assertThat(ByteRange.parse(null, "bytes 2-5/*", 10)).contains(new ByteRange(2, 4, 10));
        assertThat(ByteRange.parse(null, "bytes 0-9/*", 10).map(ByteRange::contentRange)).contains("bytes 0-9/10");
        // Range wins when both are sent
        assertThat(ByteRange.parse("bytes=0-0", "bytes 2-5/10", 10)).contains(new ByteRange(0, 1, 10));
    }

    @ParameterizedTest(name = "Content-Range {0} of {1} bytes → 416 {2}")
    @CsvSource(delimiter = '|', value = {
            "bytes 1-4/*     | 3  | Invalid stop position in Content-Range header. The stop position MUST be in the inclusive range [0, 2].",
            "bytes 1-4/10    | 3  | Invalid stop position in Content-Range header. The stop position MUST be in the inclusive range [0, 2].",
            "bytes 4-4/*     | 3  | Invalid stop position in Content-Range header. The stop position MUST be in the inclusive range [0, 2].",
            "bytes 0-4/3     | 10 | Invalid Content-Range header.",
            "bytes 4-2/10    | 10 | Invalid Content-Range header.",
            "bytes */10      | 10 | Invalid Content-Range header.",
            "bytes=0-4       | 10 | Invalid Content-Range header.",
    })
    void invalidContentRanges(String header, long size, String message) {
        assertThatThrownBy(() -> ByteRange.parse(null, header, size))
                .isInstanceOfSatisfying(GlintException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.RANGE_NOT_SATISFIABLE))
                .hasMessage(message);
    }

    @Test
    void rangesMustLieInsideTheImage() {
        assertThatThrownBy(() -> new ByteRange(5, 6, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Optional.of(new ByteRange(0, 10, 10))).isPresent();
    }
}
