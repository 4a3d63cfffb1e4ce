package glint.store;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Blobs as files in one directory ({@code filesystem_store_datadir}).
 * <pre>
 *   DIR/&lt;image-id&gt;-&lt;unique&gt;          committed blob (location file://DIR/…)
 *   DIR/.&lt;image-id&gt;-&lt;unique&gt;.tmp     blob being written; removed by abort() or by cleanup() at start
 * </pre>
 * Writes go to the temporary file, which is fsynced, renamed over the final name (atomic in one directory) and
 * followed by an fsync of the directory: a committed blob is complete, an uncommitted one never has a final name.
 * While a blob is written, the file is flushed in the background every {@link #FLUSH_EVERY} bytes so that the
 * final fsync is short. Reads map the file in windows and hand the mapped buffers to the sink: the socket write
 * copies straight from the page cache, with no copy in the JVM.
 */
public final class FileStore implements BlobStore {
    static final long FLUSH_EVERY = 64L << 20;
    static final long WINDOW = 16L << 20;
    private static final String TMP_PREFIX = ".";
    private static final String TMP_SUFFIX = ".tmp";

    private final String id;
    private final Path dir;
    private final ExecutorService flusher;

    public FileStore(String id, Path dir) throws IOException {
        this.id = id;
        this.dir = dir.toAbsolutePath().normalize();
        Files.createDirectories(this.dir);
        this.flusher = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "file-store-flush");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String type() {
        return "file";
    }

    public Path directory() {
        return dir;
    }

    @Override
    public BlobWriter create(String name) throws IOException {
        String safe = name.replaceAll("[^A-Za-z0-9_-]", "_");
        String file = safe + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path target = dir.resolve(file);
        Path tmp = dir.resolve(TMP_PREFIX + file + TMP_SUFFIX);
        FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new FileWriter(tmp, target, channel);
    }

    private final class FileWriter implements BlobWriter {
        private final Path tmp;
        private final Path target;
        private final FileChannel channel;
        private long written;
        private long flushedUpTo;
        private Future<?> flush;
        private boolean done;

        FileWriter(Path tmp, Path target, FileChannel channel) {
            this.tmp = tmp;
            this.target = target;
            this.channel = channel;
        }

        @Override
        public String location() {
            return target.toUri().toString();
        }

        @Override
        public void write(ByteBuffer data) throws IOException {
            while (data.hasRemaining()) {
                written += channel.write(data);
            }
            if (written - flushedUpTo >= FLUSH_EVERY && (flush == null || flush.isDone())) {
                flushedUpTo = written;
                flush = flusher.submit(() -> {
                    channel.force(false);
                    return null;
                });
            }
        }

        @Override
        public void commit() throws IOException {
            awaitFlush();
            channel.force(true);
            channel.close();
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory();
            done = true;
        }

        @Override
        public void abort() {
            if (done) {
                return;
            }
            done = true;
            try {
                awaitFlush();
            } catch (IOException ignored) {
                // the data is being thrown away
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a file we are about to delete
            }
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // cleanup() at the next start removes it
            }
        }

        private void awaitFlush() throws IOException {
            if (flush == null) {
                return;
            }
            try {
                flush.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while flushing", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException("background flush failed", e.getCause());
            }
        }
    }

    @Override
    public void read(String location, long offset, long length, ByteSink sink) throws IOException {
        try (FileChannel channel = FileChannel.open(path(location), StandardOpenOption.READ)) {
            long position = offset;
            long end = offset + length;
            while (position < end) {
                long window = Math.min(WINDOW, end - position);
                MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, position, window);
                sink.write(mapped);
                // Only after the sink is done with it: a failed write may leave the buffer referenced, and touching
                // an unmapped buffer would crash the JVM, so on failure the GC unmaps it later.
                Unmapper.unmap(mapped);
                position += window;
            }
        }
    }

    @Override
    public long size(String location) throws IOException {
        return Files.size(path(location));
    }

    @Override
    public void delete(String location) throws IOException {
        Files.deleteIfExists(path(location));
    }

    @Override
    public void cleanup() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, TMP_PREFIX + "*" + TMP_SUFFIX)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** The file of a location of this store; anything outside the store's directory is refused. */
    Path path(String location) throws NoSuchFileException {
        Path p;
        try {
            p = Path.of(URI.create(location)).toAbsolutePath().normalize();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new NoSuchFileException(location);
        }
        if (!p.getParent().equals(dir)) {
            throw new NoSuchFileException(location);
        }
        return p;
    }

    private void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /**
     * Unmaps a window as soon as it has been sent, so that the file's pages do not stay mapped (and counted in the
     * process's resident memory) until a garbage collection. Uses {@code sun.misc.Unsafe.invokeCleaner}
     * (jdk.unsupported), the documented way to release a direct buffer; without it the GC still unmaps later.
     */
    static final class Unmapper {
        private static final Object UNSAFE;
        private static final Method INVOKE_CLEANER;

        static {
            Object unsafe = null;
            Method invoke = null;
            try {
                Class<?> c = Class.forName("sun.misc.Unsafe");
                Field f = c.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                unsafe = f.get(null);
                invoke = c.getMethod("invokeCleaner", ByteBuffer.class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                unsafe = null;
                invoke = null;
            }
            UNSAFE = unsafe;
            INVOKE_CLEANER = invoke;
        }

        private Unmapper() {}

        static void unmap(MappedByteBuffer buffer) {
            if (INVOKE_CLEANER == null) {
                return;
            }
            try {
                INVOKE_CLEANER.invoke(UNSAFE, buffer);
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                // left to the garbage collector
            }
        }
    }
}
