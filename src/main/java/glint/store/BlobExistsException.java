package glint.store;

import java.io.IOException;

/**
 * {@link BlobStore#create} found a committed blob under the name already: a store never overwrites image data
 * (glance_store's {@code Duplicate}).
 */
public final class BlobExistsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String location;

    public BlobExistsException(String location) {
        super("a blob exists at " + location + " already");
        this.location = location;
    }

    public String location() {
        return location;
    }
}
