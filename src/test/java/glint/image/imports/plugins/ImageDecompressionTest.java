package glint.image.imports.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.DatabaseNeutral;
import org.junit.jupiter.api.Test;

/** What image_decompression reads from the head of the data and from a zip member's name. */
@DatabaseNeutral
class ImageDecompressionTest {
    @Test
    void theKindIsInTheMagicBytes() {
        assertThat(ImageDecompression.kind(new byte[] {0x1f, (byte) 0x8b, 0x08, 0})).isEqualTo(ImageDecompression.Kind.GZIP);
        assertThat(ImageDecompression.kind(new byte[] {0x1f, (byte) 0x8b, 0x07, 0})).isEqualTo(ImageDecompression.Kind.NONE);
        assertThat(ImageDecompression.kind("PK\3\4xx".getBytes())).isEqualTo(ImageDecompression.Kind.ZIP);
        assertThat(ImageDecompression.kind("xx-lh5-".getBytes())).isEqualTo(ImageDecompression.Kind.LHA);
        assertThat(ImageDecompression.kind("QFI\u00fb".getBytes())).isEqualTo(ImageDecompression.Kind.NONE);
        assertThat(ImageDecompression.kind(new byte[] {0x1f})).isEqualTo(ImageDecompression.Kind.NONE);
    }

    @Test
    void aMemberNameMustBeAPlainFileName() {
        assertThat(ImageDecompression.plainName("disk.raw")).isTrue();
        assertThat(ImageDecompression.plainName("disk..raw")).isTrue();
        for (String name : new String[] {"", ".", "..", "../disk.raw", "/disk.raw", "a/disk.raw", "a\\disk.raw",
                "..\\disk.raw", "C:disk.raw", "disk\0.raw"}) {
            assertThat(ImageDecompression.plainName(name)).as(name).isFalse();
        }
    }
}
