package glint.image;

import glint.data.ContentCheck;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.format.FormatInspector;
import glint.format.FormatRefused;
import glint.format.FormatRules;
import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Format inspection ({@code glint.format}) as the byte path's {@link ContentCheck}, one per pass over an image's data:
 * upload, stage, and every store an import writes. Glance inspects only uploads and imports of
 * {@code container_format = bare} (glance/location.py {@code ImageProxy.set_data}); Glint inspects every pass,
 * whatever the container format, so that no path stores data the rules refuse.
 */
public final class FormatChecks {
    private static final Logger LOG = LoggerFactory.getLogger(FormatChecks.class);

    private final FormatRules rules;
    private final boolean enabled;

    /** @param enabled Glint's {@code [image_format] inspect_content}; false only for measurements */
    public FormatChecks(FormatRules rules, boolean enabled) {
        this.rules = rules;
        this.enabled = enabled;
    }

    /** Whether {@link #of} inspects anything ({@code inspect_content}). */
    public boolean inspects() {
        return enabled;
    }

    /** The check for a pass over the data of {@code image}, judged against its {@code disk_format}. */
    public ContentCheck of(Image image) {
        if (!enabled) {
            return ContentCheck.NONE;
        }
        String disk = image.diskFormat().orElseThrow(() -> new IllegalStateException("no disk_format on " + image.id()));
        String container = image.containerFormat().orElse("bare");
        return new Check(image.id(), disk, container, FormatInspector.forContainer(container));
    }

    private final class Check implements ContentCheck {
        private final String imageId;
        private final String diskFormat;
        private final String containerFormat;
        private final FormatInspector inspector;

        Check(String imageId, String diskFormat, String containerFormat, FormatInspector inspector) {
            this.imageId = imageId;
            this.diskFormat = diskFormat;
            this.containerFormat = containerFormat;
            this.inspector = inspector;
        }

        @Override
        public void feed(ByteBuffer data) {
            inspector.feed(data);
        }

        @Override
        public OptionalLong finish() {
            try {
                return rules.judge(diskFormat, containerFormat, inspector.finish()).virtualSize();
            } catch (FormatRefused e) {
                LOG.warn("image {}: data refused by format inspection: {}", imageId, e.getMessage());
                // Glance: InvalidImageData → HTTPUnsupportedMediaType(detail=...) (glance/api/v2/image_data.py upload)
                throw new GlintException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, e.getMessage());
            }
        }
    }
}
