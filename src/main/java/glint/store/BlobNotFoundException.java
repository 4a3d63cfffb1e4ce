package glint.store;

import java.io.IOException;

/** No committed blob at a location (never written, deleted, or not a location of this store). */
public final class BlobNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String location;

    public BlobNotFoundException(String location) {
        super("no blob at " + location);
        this.location = location;
    }

    public String location() {
        return location;
    }
}
