package glint.store.s3;

import glint.store.StorageFullException;
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

    /** {@code what} failed: an IOException saying so, a {@link StorageFullException} for a full bucket or quota. */
    static IOException io(String what, SdkException e) {
        String code = code(e);
        String message = what + ": " + (e instanceof AwsServiceException s
                ? s.statusCode() + " " + (code == null ? "" : code + " ") + s.awsErrorDetails().errorMessage()
                : e.getMessage());
        boolean full = e instanceof AwsServiceException s && (s.statusCode() == 507 || "QuotaExceeded".equals(code)
                || "XMinioStorageFull".equals(code));
        return full ? new StorageFullException(message, e) : new IOException(message, e);
    }
}
