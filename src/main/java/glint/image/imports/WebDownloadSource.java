package glint.image.imports;

import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * web-download (Glance's {@code _WebDownload}, glance/async_/flows/_internal_plugins/web_download.py): the URI's
 * data into staging, the {@link UriFilter} checked again, with DNS, at each hop.
 */
public final class WebDownloadSource implements ImportSource {
    private static final Logger LOG = LoggerFactory.getLogger(WebDownloadSource.class);

    private final WebSource web;
    private final ImportBlobs blobs;
    private final ImportImages images;

    public WebDownloadSource(WebSource web, ImportBlobs blobs, ImportImages images) {
        this.web = web;
        this.blobs = blobs;
        this.images = images;
    }

    @Override
    public Data acquire(ImportPlan plan) throws IOException {
        WebSource.Body body;
        try {
            body = web.open(plan.uri().orElseThrow());
        } catch (UriFilter.Refused e) {
            throw new ImportFailed("URI for web-download does not pass filtering: " + e.getMessage());
        }
        try (InputStream in = body.stream()) {
            Data staged = blobs.toStaging(images.current(plan.imageId()), in, body.length(), plan.requester().projectId());
            LOG.info("task {}: downloaded {} bytes for image {}", plan.task().id(), staged.size(), plan.imageId());
            return staged;
        }
    }
}
