package glint.store.s3;

import glint.store.StorageFullException;
import glint.store.StoreUnavailableException;
import java.io.IOException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/** The SDK's unchecked exceptions as the store contract's {@link IOException}s. */
final class S3Errors {
    private S3Errors() {}

    /** The service answered 404 (no such key, upload or bucket). */
    static boolean notFound(SdkException e) {
        return e instanceof AwsServiceException s && s.statusCode() == 404;
    }

    static String code(SdkException e) {
        return e instanceof AwsServiceException s && s.awsErrorDetails() != null ? s.awsErrorDetails().errorCode() : null;
    }

    /**
     * {@code what} failed: an IOException saying so; a {@link StorageFullException} for a full bucket or quota; a
     * {@link StoreUnavailableException} when the service could not be reached or answered a server error once the
     * client's retries ({@link S3Clients}) were spent.
     */
    static IOException io(String what, SdkException e) {
        String code = code(e);
        String message = what + ": " + (e instanceof AwsServiceException s
                ? s.statusCode() + " " + (code == null ? "" : code + " ") + s.awsErrorDetails().errorMessage()
                : e.getMessage());
        boolean full = e instanceof AwsServiceException s && (s.statusCode() == 507 || "QuotaExceeded".equals(code)
                || "XMinioStorageFull".equals(code));
        if (full) {
            return new StorageFullException(message, e);
        }
        boolean unavailable = !(e instanceof AwsServiceException s) || s.statusCode() >= 500;
        return unavailable ? new StoreUnavailableException(message, e) : new IOException(message, e);
    }
}
