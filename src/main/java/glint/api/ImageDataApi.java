package glint.api;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.http.Exchange;
import glint.http.RequestBodySource;
import glint.http.Router;
import glint.image.ImageDataService;
import glint.image.ImageDataService.Download;
import glint.metrics.DataMetrics;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;

/** {@code PUT} and {@code GET /v2/images/{id}/file}: streaming upload and download of image data. */
public final class ImageDataApi {
    private final ImageDataService data;
    private final boolean multiStore;
    private final DataMetrics metrics;

    public ImageDataApi(ImageDataService data, boolean multiStore, DataMetrics metrics) {
        this.data = data;
        this.multiStore = multiStore;
        this.metrics = metrics;
    }

    public void register(Router router) {
        router.add("PUT", "/v2/images/{image_id}/file", this::upload);
        router.add("GET", "/v2/images/{image_id}/file", this::download);
    }

    private void upload(Exchange ex) throws IOException {
        String type = ex.header("Content-Type").orElse(null);
        if (type == null || !type.split(";")[0].strip().equalsIgnoreCase("application/octet-stream")) {
            throw new GlintException(ErrorKind.UNSUPPORTED_MEDIA_TYPE, "Invalid content type " + type);
        }
        OptionalLong expected = ex.header("x-openstack-image-size").map(ImageDataApi::size).orElse(OptionalLong.empty());
        long contentLength = ex.contentLength();
        if (contentLength >= 0) {
            if (expected.isPresent() && expected.getAsLong() != contentLength) {
                throw GlintException.badRequest("x-openstack-image-size does not match Content-Length");
            }
            expected = OptionalLong.of(contentLength);
        }
        Optional<String> store = multiStore ? ex.header("X-Image-Meta-Store") : Optional.empty();
        try (DataMetrics.InFlight uploading = metrics.started(DataMetrics.Operation.UPLOAD)) {
            data.upload(ex.context(), ex.pathParam("image_id"),
                    metrics.received(new RequestBodySource(ex.bodySource()), DataMetrics.Operation.UPLOAD), expected, store);
        }
        ex.sendEmpty(204);
    }

    private void download(Exchange ex) throws IOException {
        Download d = data.prepareDownload(ex.context(), ex.pathParam("image_id"), ex.header("Range"));
        if (!d.hasData()) {
            ex.sendEmpty(204);
            return;
        }
        ex.setHeader("Content-Type", "application/octet-stream");
        d.image().checksum().ifPresent(md5 -> ex.setHeader("Content-MD5", md5));
        if (d.range().isPresent()) {
            ex.status(206);
            ex.setHeader("Content-Range", d.range().get().contentRange());
            ex.setHeader("Content-Length", Long.toString(d.range().get().length()));
        } else {
            ex.status(200);
            ex.setHeader("Content-Length", Long.toString(d.image().size().orElseThrow()));
        }
        data.send(d, metrics.sent(buffer -> ex.write(buffer, false)));
        ex.write(java.nio.ByteBuffer.allocate(0), true);
    }

    private static OptionalLong size(String value) {
        try {
            long n = Long.parseLong(value.strip());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return OptionalLong.of(n);
        } catch (NumberFormatException e) {
            throw GlintException.badRequest("Invalid x-openstack-image-size header: " + value);
        }
    }
}
