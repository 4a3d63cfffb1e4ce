package glint.image;

import glint.store.ByteSink;
import java.io.IOException;

/**
 * A node-local copy of image data that downloads are served from when present (Glance's cache middleware,
 * {@code [paste_deploy] flavor = keystone+caching}). {@link #NONE} when the cache is off.
 */
public interface DataCache {
    /**
     * Streams bytes {@code [offset, offset + length)} of the image's cached copy into {@code sink}. Returns false,
     * having sent nothing, when the image is not cached.
     */
    boolean read(String imageId, long offset, long length, ByteSink sink) throws IOException;

    /** The image is gone: its cached copy and queue entry, if any, go too. Never throws. */
    void forget(String imageId);

    DataCache NONE = new DataCache() {
        @Override
        public boolean read(String imageId, long offset, long length, ByteSink sink) {
            return false;
        }

        @Override
        public void forget(String imageId) {}
    };
}
