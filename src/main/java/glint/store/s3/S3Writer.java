package glint.store.s3;

import glint.store.BlobWriter;
import glint.store.BufferPool;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One blob being written to S3, whatever its size and whether or not it is known: bytes are copied into a part
 * buffer from the store's pool (the caller's buffers are valid only during {@link #write}); a full part is sent on a
 * sender thread while the next one fills, the first one opening a multipart upload. A blob that ends before its
 * first part is full and below {@code s3_store_large_object_size} goes up at commit in one PUT instead. Memory: the
 * part being filled plus the parts in flight, each from the bounded pool, never the blob.
 */
final class S3Writer implements BlobWriter {
    private static final Logger LOG = LoggerFactory.getLogger(S3Writer.class);
    /** S3's limit on the parts of one upload. */
    static final int MAX_PARTS = 10_000;

    private final S3Client client;
    private final String bucket;
    private final String key;
    private final String location;
    private final BufferPool pool;
    private final long singlePutBelow;
    private final Set<String> openUploads;
    private final PartUploads parts;
    private final AwsRequestOverrideConfiguration forRequest;
    private byte[] part;
    private int filled;
    private long written;
    private int partNumber;
    private String uploadId;
    private boolean committed;
    private boolean aborted;

    /**
     * @param singlePutBelow {@code s3_store_large_object_size}: smaller blobs that fit one part go up in one PUT
     * @param openUploads the store's set of this process's multipart uploads, which delete and cleanup leave alone
     * @param forRequest on each of the writer's requests: the id of the API request it writes for
     *     ({@link RequestIdHeader#pinned}), since they are sent from threads that work for no request
     */
    S3Writer(S3Client client, String bucket, String key, String location, BufferPool pool, Executor senders,
             long singlePutBelow, Set<String> openUploads, AwsRequestOverrideConfiguration forRequest) {
        this.client = client;
        this.bucket = bucket;
        this.key = key;
        this.location = location;
        this.pool = pool;
        this.singlePutBelow = singlePutBelow;
        this.openUploads = openUploads;
        this.forRequest = forRequest;
        this.parts = new PartUploads(senders, pool, this::sendPart);
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public void write(ByteBuffer data) throws IOException {
        if (committed || aborted) {
            throw new IllegalStateException("writer is " + (committed ? "committed" : "aborted"));
        }
        parts.throwIfFailed();
        while (data.hasRemaining()) {
            if (part == null) {
                part = acquire();
            } else if (filled == part.length) {
                // sent only now that more data came: a blob of exactly one part can still go up in one PUT
                dispatchPart();
                continue;
            }
            int n = Math.min(data.remaining(), part.length - filled);
            data.get(part, filled, n);
            filled += n;
            written += n;
        }
    }

    private byte[] acquire() throws IOException {
        try {
            return pool.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a part buffer");
        }
    }

    /** Hands the filled part to a sender thread, opening the multipart upload first if this is the first part. */
    private void dispatchPart() throws IOException {
        if (partNumber == MAX_PARTS) {
            throw new IOException("image data exceeds " + MAX_PARTS + " parts of " + part.length
                    + " bytes: raise s3_store_large_object_chunk_size");
        }
        if (uploadId == null) {
            try {
                uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(key).overrideConfiguration(forRequest))
                        .uploadId();
            } catch (SdkException e) {
                throw S3Errors.io("starting the multipart upload of " + location, e);
            }
            openUploads.add(uploadId);
        }
        byte[] full = part;
        int length = filled;
        part = null;
        filled = 0;
        parts.submit(++partNumber, full, length);
    }

    private CompletedPart sendPart(int number, byte[] data, int length) {
        String etag = client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                        .contentLength((long) length).overrideConfiguration(forRequest),
                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, length), length,
                        "application/octet-stream")).eTag();
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
    }

    @Override
    public long bytesWritten() {
        return written;
    }

    @Override
    public String commit() throws IOException {
        if (committed) {
            return location;
        }
        if (aborted) {
            throw new IllegalStateException("writer is aborted");
        }
        try {
            if (uploadId == null && (written == 0 || written < singlePutBelow)) {
                putWhole();
            } else {
                if (filled > 0) {
                    dispatchPart();
                }
                List<CompletedPart> sent = parts.awaitAll();
                client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(sent)).overrideConfiguration(forRequest));
                openUploads.remove(uploadId);
            }
        } catch (SdkException e) {
            abort();
            throw S3Errors.io("storing " + location, e);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
        committed = true;
        releasePart();
        return location;
    }

    /** The blob in one PUT: the part buffer, or nothing for an empty blob. */
    private void putWhole() {
        byte[] data = part;
        int length = filled;
        RequestBody body = data == null ? RequestBody.empty()
                : RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, 0, length), length,
                        "application/octet-stream");
        client.putObject(b -> b.bucket(bucket).key(key).contentLength((long) length).overrideConfiguration(forRequest),
                body);
    }

    @Override
    public void abort() {
        if (committed || aborted) {
            return;
        }
        aborted = true;
        parts.cancel();
        releasePart();
        if (uploadId != null) {
            try {
                client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .overrideConfiguration(forRequest));
            } catch (SdkException e) {
                if (!S3Errors.notFound(e)) { // gone already is what was wanted
                    LOG.warn("could not abort the multipart upload of {} ({}); cleanup() will", location, e.getMessage());
                }
            } finally {
                openUploads.remove(uploadId);
            }
        }
    }

    private void releasePart() {
        if (part != null) {
            pool.release(part);
            part = null;
        }
    }
}
