package glint.store;

import java.io.IOException;

/** The backend has no room for more data (disk full, quota of the file system or bucket exhausted). */
public final class StorageFullException extends IOException {
    private static final long serialVersionUID = 1L;

    public StorageFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
