package glint.store;

import java.io.IOException;

/** A write to a store that only reads (glance_store's {@code StoreAddDisabled}, e.g. the {@code http} store). */
public final class StoreReadOnlyException extends IOException {
    private static final long serialVersionUID = 1L;

    public StoreReadOnlyException(String storeId) {
        super("store " + storeId + " is read-only");
    }
}
