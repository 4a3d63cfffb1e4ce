package glint.image.imports.plugins;

import glint.data.ContentCheck;
import java.nio.ByteBuffer;
import java.util.OptionalLong;

/**
 * The format check of staged data when image_decompression is on: gzip or zip data is not judged as it is staged
 * (its content is not its {@code disk_format} yet), since the plugin decompresses it through the upload pipeline,
 * which judges the decompressed data against the {@code disk_format}, as the copy to each store does again. Other
 * data is judged as any data. Glance does not inspect staged data at all.
 */
final class CompressedStaging implements ContentCheck {
    private final ContentCheck check;
    private final byte[] head = new byte[ImageDecompression.HEAD];
    private int seen;

    CompressedStaging(ContentCheck check) {
        this.check = check;
    }

    @Override
    public void feed(ByteBuffer data) {
        if (seen < head.length) {
            int n = Math.min(head.length - seen, data.remaining());
            data.get(data.position(), head, seen, n);
            seen += n;
        }
        check.feed(data);
    }

    @Override
    public OptionalLong finish() {
        ImageDecompression.Kind kind = ImageDecompression.kind(java.util.Arrays.copyOf(head, seen));
        if (kind == ImageDecompression.Kind.GZIP || kind == ImageDecompression.Kind.ZIP) {
            return OptionalLong.empty();
        }
        return check.finish();
    }
}
