package glint.data;

import java.nio.ByteBuffer;
import java.util.OptionalLong;

/**
 * A look at upload data as it streams past, beside the digests: format inspection ({@code glint.image.FormatCheck}).
 * {@link UploadPipeline} gives it every piece, in order, on the reader thread, and asks for its judgement after the
 * last byte has been written and digested but before the blob is committed; a refusal aborts the blob, so refused
 * data is never kept.
 */
public interface ContentCheck {
    /** Accepts anything and knows nothing: for data whose content is not an image (the cache, tests). */
    ContentCheck NONE = new ContentCheck() {
        @Override
        public void feed(ByteBuffer data) {}

        @Override
        public OptionalLong finish() {
            return OptionalLong.empty();
        }
    };

    /** The next bytes (position to limit of a read-only view). Cheap, and never throws for any content. */
    void feed(ByteBuffer data);

    /**
     * After the last byte: the image's virtual size, if known.
     *
     * @throws glint.error.GlintException when the data must not be stored
     */
    OptionalLong finish();
}
