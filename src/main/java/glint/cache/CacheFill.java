package glint.cache;

import glint.error.GlintException;
import glint.image.DataCache;
import glint.store.ByteSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One image being copied into the cache by the downloads that found it cold: one read of the store, on a thread of
 * its own, into a temporary file that every download of the image reads behind it (single flight). Each download reads
 * at its own pace, never faster than the store delivers and never held back by a slower client, and the store is read
 * once however many download at the same time.
 *
 * <p>Glance's cache middleware tees the one download that holds the cache file's lock ({@code get_caching_iter}); the
 * others read the store on their own, so N concurrent cold downloads read it N times. Here they read it once.
 *
 * <p>The bytes are checked against the image's MD5 checksum as they are written. The last byte is given to readers
 * only once the whole entry is verified (then the entry is made durable, fsync and rename, while they finish from the
 * page cache), so no client ever receives the complete body of data that fails its checksum: on a mismatch every reader fails (the connection is cut short, as for any store error
 * once the response started) and nothing is cached. When the cache's own disk fails (full, I/O error), readers carry
 * on from the store at the offset they reached and nothing is cached. The store's errors are every reader's.
 */
final class CacheFill {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CacheFill.class);
    /** VERIFIED: every byte written and checked, readers may finish; the entry is being made durable (fsync, rename). */
    private enum State { FILLING, VERIFIED, COMMITTED, SOURCE_FAILED, CACHE_FAILED }

    /** A failure of the cache's file, as opposed to the source's. */
    private static final class CacheWriteException extends IOException {
        CacheWriteException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Per download reading behind a fill: direct memory, so bounded by the downloads in flight (16: 4 MiB). */
    private static final int READ_CHUNK = 256 << 10;

    private final String imageId;
    private final long size;
    private final Path partial;
    private final Path target;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private long written;
    private State state = State.FILLING;
    private Exception failure;
    private volatile boolean forgotten;
    private final FileChannel out;

    /** Creates the temporary file, so that readers can open it as soon as they see this fill. */
    CacheFill(String imageId, long size, Path partial, Path target) throws IOException {
        this.imageId = imageId;
        this.size = size;
        this.partial = partial;
        this.target = target;
        this.out = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** The image was deleted or removed from the cache meanwhile: the entry is dropped when the fill ends. */
    void forget() {
        forgotten = true;
    }

    boolean forgotten() {
        return forgotten;
    }

    /**
     * The fill: reads the whole image from {@code source} into the temporary file, checks it against {@code md5} when
     * present, commits it; then {@code committed} runs (the cache records and prunes). Runs on the fill's own thread.
     */
    void run(DataCache.Source source, Optional<String> md5, Runnable committed) {
        MessageDigest digest = Md5.digest();
        try (out) {
            try {
                source.read(0, size, buffer -> {
                    digest.update(buffer.duplicate());
                    int n = buffer.remaining();
                    try {
                        while (buffer.hasRemaining()) {
                            out.write(buffer);
                        }
                    } catch (IOException e) {
                        throw new CacheWriteException(e);
                    }
                    advance(n);
                });
            } catch (CacheWriteException e) {
                end(State.CACHE_FAILED, e);
                return;
            } catch (IOException | RuntimeException e) {
                LOG.warn("image {}: reading its data to fill the cache failed: {}", imageId, e.toString());
                end(State.SOURCE_FAILED, e);
                return;
            }
            if (written != size) {
                end(State.SOURCE_FAILED, new IOException("image " + imageId + ": the store sent " + written + " bytes of "
                        + size));
                return;
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (md5.isPresent() && !md5.get().equalsIgnoreCase(actual)) {
                LOG.error("image {}: its data has MD5 {}, its checksum is {}; not cached, its downloads fail", imageId,
                        actual, md5.get());
                end(State.SOURCE_FAILED, new IOException("Checksum verification failed. Aborted caching of image '"
                        + imageId + "': its data has MD5 " + actual + ", its checksum is " + md5.get()));
                return;
            }
            // the downloads need no durability: they finish now, from the page cache, while the entry is synced
            lock.lock();
            try {
                state = State.VERIFIED;
                progress.signalAll();
            } finally {
                lock.unlock();
            }
            try {
                out.force(true);
                Files.move(partial, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel d = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                    d.force(true);
                }
            } catch (IOException e) {
                end(State.CACHE_FAILED, e);
                return;
            }
            committed.run();
            end(State.COMMITTED, null);
        } catch (IOException e) {
            end(State.CACHE_FAILED, e); // closing the file failed
        } catch (RuntimeException | Error e) {
            end(State.CACHE_FAILED, e instanceof Exception x ? x : new IOException(e));
            throw e;
        }
    }

    private void advance(long n) {
        lock.lock();
        try {
            written += n;
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void end(State s, Exception e) {
        if (s != State.COMMITTED) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // the next start's recover() removes it
            }
        }
        lock.lock();
        try {
            state = s;
            failure = e;
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the fill ended (committed or not). */
    boolean ended() {
        lock.lock();
        try {
            return state != State.FILLING;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the fill ended because the cache's disk failed (the caller logs it). */
    Optional<Exception> cacheFailure() {
        lock.lock();
        try {
            return state == State.CACHE_FAILED ? Optional.of(failure) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Streams the whole image into {@code sink} behind the fill, as the fill makes progress; from {@code fallback} at
     * the offset reached if the cache's disk fails.
     */
    void streamTo(ByteSink sink, DataCache.Source fallback) throws IOException {
        FileChannel in;
        lock.lock();
        try {
            in = open();
        } finally {
            lock.unlock();
        }
        if (in == null) {
            fallbackOrFail(0, sink, fallback);
            return;
        }
        try (in) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(READ_CHUNK);
            long pos = 0;
            while (pos < size) {
                long readable = awaitReadable(pos);
                if (readable < 0) {
                    fallbackOrFail(pos, sink, fallback);
                    return;
                }
                while (pos < readable) {
                    buffer.clear().limit((int) Math.min(READ_CHUNK, readable - pos));
                    int n = in.read(buffer, pos);
                    if (n < 0) {
                        throw new IOException("cache file of image " + imageId + " ended at " + pos);
                    }
                    buffer.flip();
                    sink.write(buffer);
                    pos += n;
                }
            }
        }
    }

    /** A channel on the data as it is now (the temporary file, or the committed entry); null when there is none. */
    private FileChannel open() throws IOException {
        Path file = state == State.COMMITTED ? target : state == State.FILLING || state == State.VERIFIED ? partial : null;
        if (file == null) {
            return null;
        }
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            if (file == partial) {
                try {
                    return FileChannel.open(target, StandardOpenOption.READ); // renamed meanwhile
                } catch (NoSuchFileException gone) {
                    return null;
                }
            }
            return null; // pruned or removed since
        }
    }

    /**
     * Waits until bytes past {@code pos} may be read; returns the end of what may be read, or -1 when the fill ended
     * without the entry (the caller continues from the source or fails).
     */
    private long awaitReadable(long pos) throws IOException {
        lock.lock();
        try {
            while (true) {
                long readable = switch (state) {
                    case COMMITTED, VERIFIED -> size;
                    case FILLING -> Math.min(written, size - 1); // the last byte waits for the verification
                    default -> -1;
                };
                if (readable < 0 || readable > pos) {
                    return readable;
                }
                progress.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    private void fallbackOrFail(long pos, ByteSink sink, DataCache.Source fallback) throws IOException {
        State s;
        Exception e;
        lock.lock();
        try {
            s = state;
            e = failure;
        } finally {
            lock.unlock();
        }
        if (s == State.SOURCE_FAILED) {
            if (e instanceof GlintException g) {
                throw new GlintException(g.kind(), g.getMessage());
            }
            throw new IOException(e.getMessage(), e);
        }
        // the cache's disk failed, or the committed entry went away: the rest comes from the store
        fallback.read(pos, size - pos, sink);
    }
}
