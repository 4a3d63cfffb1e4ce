package glint.store;

import java.io.IOException;

/**
 * The store's service cannot be reached for now, or still answered a server error (500, 502, 503, 504) after the
 * store's retries: worth retrying later, and not the client's fault. Glance answers glance_store's
 * {@code RemoteServiceUnavailable} on a download with 503 (image_data.py {@code ResponseSerializer.download}); Glint
 * answers an upload that meets it the same way, as it answers an unreachable database.
 */
public final class StoreUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
