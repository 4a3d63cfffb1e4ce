package glint.store;

import java.io.IOException;

/** The backend has no room for more data (disk full, quota of the file system or bucket exhausted). */
public final class StorageFullException extends IOException {
    private static final long serialVersionUID = 1L;
    /** glance_store's {@code StorageFull} text, which Glance puts after "Image storage media is full: ". */
    public static final String GLANCE_STORE_MESSAGE = "There is not enough disk space on the image storage media.";

    public StorageFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
