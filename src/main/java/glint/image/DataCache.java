package glint.image;

import glint.store.ByteSink;
import java.io.IOException;

/**
 * A node-local copy of image data that downloads are served from when present, and filled by the first download of
 * an image (Glance's cache middleware, {@code [paste_deploy] flavor = keystone+caching}). {@link #NONE} when the cache
 * is off.
 */
public interface DataCache {
    /** Where an image's data comes from when the cache does not have it: the image's stores, from an offset. */
    @FunctionalInterface
    interface Source {
        void read(long offset, long length, ByteSink sink) throws IOException;
    }

    /**
     * Streams bytes {@code [offset, offset + length)} of the image's cached copy into {@code sink}. Returns false,
     * having sent nothing, when the image is not cached (or its copy failed verification and was dropped).
     */
    boolean read(Image image, long offset, long length, ByteSink sink) throws IOException;

    /**
     * Streams the whole image into {@code sink}: from the cache when it has it (true), else from {@code source} while
     * the cache fills (false). The errors are {@code source}'s.
     */
    default boolean readThrough(Image image, Source source, ByteSink sink) throws IOException {
        if (read(image, 0, image.size().orElseThrow(), sink)) {
            return true;
        }
        source.read(0, image.size().orElseThrow(), sink);
        return false;
    }

    /** The image is gone: its cached copy and queue entry, if any, go too. Never throws. */
    void forget(String imageId);

    DataCache NONE = new DataCache() {
        @Override
        public boolean read(Image image, long offset, long length, ByteSink sink) {
            return false;
        }

        @Override
        public void forget(String imageId) {}
    };
}
