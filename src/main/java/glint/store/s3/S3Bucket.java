package glint.store.s3;

import java.io.IOException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The store's bucket, checked before the first write and created then if {@code s3_store_create_bucket_on_put}, as
 * glance_store's {@code add} does (which checks before every write; here once it is known to exist).
 */
final class S3Bucket {
    private final S3Client client;
    private final S3Options options;
    private volatile boolean exists;

    S3Bucket(S3Client client, S3Options options) {
        this.client = client;
        this.options = options;
    }

    void ensureExists() throws IOException {
        if (exists) {
            return;
        }
        synchronized (this) {
            if (exists) {
                return;
            }
            String name = options.bucket();
            try {
                client.headBucket(b -> b.bucket(name));
            } catch (SdkException e) {
                if (!S3Errors.notFound(e)) {
                    throw S3Errors.io("Failed to get bucket info of " + name, e);
                }
                if (!options.createBucketOnPut()) {
                    throw new IOException("The bucket " + name + " does not exist in S3. Please set the "
                            + "s3_store_create_bucket_on_put option to add bucket to S3 automatically.");
                }
                create(name);
            }
            exists = true;
        }
    }

    /** With the region as location constraint unless it is us-east-1 (which takes none) or unset, as glance_store. */
    private void create(String name) throws IOException {
        String region = options.region().strip();
        try {
            client.createBucket(b -> {
                b.bucket(name);
                if (!region.isEmpty() && !region.equals("us-east-1")) {
                    b.createBucketConfiguration(c -> c.locationConstraint(region));
                }
            });
        } catch (SdkException e) {
            String code = S3Errors.code(e);
            if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
                throw S3Errors.io("Failed to add bucket " + name + " to S3", e);
            }
        }
    }
}
