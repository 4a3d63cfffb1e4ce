package glint.store;

import java.io.EOFException;
import java.io.IOException;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Blobs as files in one directory, glance_store's filesystem store layout ({@code filesystem_store_datadir}):
 * <pre>
 *   DIR/&lt;image-id&gt;                     committed blob, location file:///DIR/&lt;image-id&gt;
 *   DIR/.&lt;image-id&gt;.&lt;uuid&gt;.partial     blob being written; removed by abort(), after a crash by
 *                                     delete(location) (the journal names it) or by cleanup() once stale
 * </pre>
 * A commit fsyncs the temporary file, renames it over the final name (atomic within one directory) and fsyncs the
 * directory, so a final name only ever shows a complete blob, also after a power cut. A temporary file is stale when
 * it was last modified {@code staleAfter} ago (a live writer modifies it with every write), so a node restarting on a
 * directory shared with other nodes (NFS) leaves their uploads alone. By default the file is written through the page cache and
 * flushed in the background every {@code flushEvery} bytes, overlapping the disk writes with the transfer so that the
 * final fsync is short (2 GiB: 850 MB/s with a 64 MiB interval against 370–650 MB/s with one fsync at the end, on the
 * development VM). With direct I/O on ({@link DirectAppender}, where the file system allows it) blobs bypass the page
 * cache: a fraction of the CPU, but with at most 4 device writes of 1 MiB in flight a single 1 GiB upload went slower on
 * the development VM (235–250 against 260–310 MiB/s) while 8 at once went faster (280 against 245 MiB/s). Reads hand out the file mapped in {@link #WINDOW} windows: the socket write copies
 * straight from the page cache, with no copy through the JVM (1.7 GB/s to a loopback socket against 1.0 GB/s reading
 * into a direct buffer).
 */
public final class FileStore implements BlobStore {
    /** Flush interval while writing; measured best of 32/64/128/256 MiB and no intermediate flush. */
    public static final long DEFAULT_FLUSH_EVERY = 64L << 20;
    /** Mapping window for reads: large enough to amortise map/unmap, small enough to keep resident memory low. */
    static final long WINDOW = 16L << 20;
    /** The granularity of thin provisioning's holes: the page and the usual file system block. */
    static final int HOLE_BLOCK = 4096;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(HOLE_BLOCK).asReadOnlyBuffer();

    private final String id;
    private final Path dir;
    private final long flushEvery;
    private final Duration staleAfter;
    private final Clock clock;
    private final ExecutorService flusher;
    /** Null when writes go through the page cache. */
    private final DirectAppender direct;
    /** glance_store's {@code filesystem_thin_provisioning}: zero blocks become holes (buffered writes only). */
    private final boolean thinProvisioning;
    /** Temporary files of this store's open writers. */
    private final Set<Path> writing = ConcurrentHashMap.newKeySet();

    /** A store that writes through the page cache, flushing every {@link #DEFAULT_FLUSH_EVERY} bytes. */
    public FileStore(String id, Path dir) throws IOException {
        this(id, dir, DEFAULT_FLUSH_EVERY, false);
    }

    /** A store with the default age bound {@link BlobStore#STALE_AFTER} on the system clock. */
    public FileStore(String id, Path dir, long flushEvery, boolean directIo) throws IOException {
        this(id, dir, flushEvery, directIo, STALE_AFTER, Clock.systemUTC());
    }

    /**
     * @param flushEvery bytes between background flushes of buffered writes; 0 for a single fsync at commit
     * @param directIo write with direct I/O if the file system allows it
     * @param staleAfter the age bound of {@link #cleanup()}; zero for a directory only this process writes to
     * @param clock what {@code staleAfter} is measured against
     */
    public FileStore(String id, Path dir, long flushEvery, boolean directIo, Duration staleAfter, Clock clock)
            throws IOException {
        this(id, dir, flushEvery, directIo, false, staleAfter, clock);
    }

    /**
     * As {@link #FileStore(String, Path, long, boolean, Duration, Clock)}, with glance_store's
     * {@code filesystem_thin_provisioning}: every {@link #HOLE_BLOCK}-aligned block of zeros a buffered write receives is
     * left as a hole in the file instead of written, so a sparse image takes its real size on disk (reads are the
     * same bytes). Direct I/O writes whole blocks and ignores it.
     */
    public FileStore(String id, Path dir, long flushEvery, boolean directIo, boolean thinProvisioning, Duration staleAfter,
                     Clock clock) throws IOException {
        this.id = id;
        this.thinProvisioning = thinProvisioning;
        this.dir = dir.toAbsolutePath().normalize();
        this.flushEvery = flushEvery;
        this.staleAfter = staleAfter;
        this.clock = clock;
        Files.createDirectories(this.dir);
        this.direct = directIo ? DirectAppender.probe(this.dir) : null;
        AtomicInteger n = new AtomicInteger();
        this.flusher = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "store-" + id + "-flush-" + n.incrementAndGet());
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

    @Override
    public boolean serves(String location) {
        try {
            path(location);
            return true;
        } catch (BlobNotFoundException e) {
            return false;
        }
    }

    /**
     * Glance's file store detail ({@code _get_file_properties}): the directory, and glance_store's defaults for the
     * option Glint does not have ({@code filesystem_store_chunk_size}), and {@code filesystem_thin_provisioning}.
     */
    @Override
    public Map<String, Object> properties() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("data_dir", dir.toString());
        p.put("chunk_size", 65536);
        p.put("thin_provisioning", thinProvisioning);
        return p;
    }

    /** Whether blobs are written with direct I/O. */
    public boolean directIo() {
        return direct != null;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public String describe() {
        return "file in " + dir + (directIo() ? ", direct I/O" : ", buffered I/O");
    }

    /** The directory is there and this process may list, read and create files in it (access(2): no I/O). */
    @Override
    public java.util.Optional<String> problem() {
        if (!Files.isDirectory(dir)) {
            return java.util.Optional.of("directory " + dir + " is missing");
        }
        if (!Files.isReadable(dir) || !Files.isWritable(dir) || !Files.isExecutable(dir)) {
            return java.util.Optional.of("directory " + dir + " is not readable and writable");
        }
        return java.util.Optional.empty();
    }

    @Override
    public BlobWriter create(String imageId) throws IOException {
        // No file yet: the temporary file appears with the first byte (or the commit of an empty blob), so a crash
        // before the caller has journalled location() leaves nothing behind (BlobStore#create).
        return new FileWriter(temporary(imageId), newTarget(imageId));
    }

    /**
     * Starts a blob whose bytes a program outside the JVM writes by path (qemu-img convert): see {@link ProgramOutput}.
     * Its temporary file has a writer's temporary name, so a crash leaves it for {@link #cleanup()}.
     *
     * @param name the blob's name, as an image id in {@link #create}
     */
    public ProgramOutput createForProgram(String name) throws IOException {
        Path target = newTarget(name);
        Path tmp = temporary(name);
        writing.add(tmp);
        return new ProgramOutput(this, tmp, target);
    }

    /** The file of a committed blob, for a program that reads it by path. @throws BlobNotFoundException if none */
    public Path file(String location) throws IOException {
        Path p = path(location);
        if (!Files.isRegularFile(p)) {
            throw new BlobNotFoundException(location);
        }
        return p;
    }

    /** The final name of a new blob: a plain name, not taken yet. */
    private Path newTarget(String name) throws IOException {
        Path target = dir.resolve(BlobNames.requireValid(name));
        // glance_store's filesystem driver refuses to overwrite existing data (Duplicate) in the same way
        if (Files.exists(target)) {
            throw new BlobExistsException(target.toUri().toString());
        }
        return target;
    }

    /** A writer's temporary name (see {@link PartialFiles}): what {@link #cleanup()} knows as an interrupted write. */
    private Path temporary(String name) {
        return dir.resolve(PartialFiles.newName(name));
    }

    /** A {@link ProgramOutput} ended: its temporary file is no longer this store's to keep. */
    void released(Path tmp) {
        writing.remove(tmp);
    }

    private final class FileWriter implements BlobWriter {
        private final Path tmp;
        private final Path target;
        /** Opened by the first write or the commit; null before. */
        private FileChannel channel;
        /** Null for buffered writes. */
        private DirectAppender.Stream directStream;
        private long written;
        private long flushedUpTo;
        private Future<?> flush;
        private boolean committed;
        private boolean aborted;

        FileWriter(Path tmp, Path target) {
            this.tmp = tmp;
            this.target = target;
        }

        /** Creates the temporary file, once. */
        private void open() throws IOException {
            if (channel != null) {
                return;
            }
            writing.add(tmp);
            try {
                channel = direct != null ? DirectAppender.open(tmp)
                        : FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (IOException e) {
                writing.remove(tmp);
                throw translate(e);
            }
            if (direct != null) {
                directStream = direct.stream(channel);
            }
        }

        @Override
        public String location() {
            return target.toUri().toString();
        }

        @Override
        public void write(ByteBuffer data) throws IOException {
            if (committed || aborted) {
                throw new IllegalStateException("writer is " + (committed ? "committed" : "aborted"));
            }
            try {
                open(); // a full file system (no inode left) refuses the file itself
                if (directStream != null) {
                    written += data.remaining();
                    directStream.append(data);
                    return;
                }
                if (thinProvisioning) {
                    writeSparse(data);
                } else {
                    while (data.hasRemaining()) {
                        written += channel.write(data);
                    }
                }
            } catch (IOException e) {
                throw translate(e);
            }
            // One flush at a time: while one runs, later data simply waits for the next one (or the commit).
            if (flushEvery > 0 && written - flushedUpTo >= flushEvery && (flush == null || flush.isDone())) {
                try {
                    awaitFlush();
                } catch (IOException e) {
                    throw translate(e);
                }
                flushedUpTo = written;
                flush = flusher.submit(() -> {
                    channel.force(false);
                    return null;
                });
            }
        }

        /**
         * Writes {@code data} at {@code written}, block by block of the file ({@link #HOLE_BLOCK}-aligned; the
         * buffer's first and last piece may be part of one): a piece of zeros is not written, so the file system
         * leaves a hole there (glance_store writes a 64 KiB chunk of zeros as a seek), the others are written in one
         * positional write per run. The file's length is set at commit, in case it ends in a hole.
         */
        private void writeSparse(ByteBuffer data) throws IOException {
            int runStart = data.position();
            long runAt = written;
            while (data.hasRemaining()) {
                int piece = (int) Math.min(data.remaining(), HOLE_BLOCK - (written % HOLE_BLOCK));
                int at = data.position();
                boolean zeros = data.slice(at, piece).mismatch(ZEROS.slice(0, piece)) == -1;
                if (zeros) {
                    writeRun(data, runStart, at, runAt);
                    runStart = at + piece;
                    runAt = written + piece;
                }
                data.position(at + piece);
                written += piece;
            }
            writeRun(data, runStart, data.position(), runAt);
        }

        private void writeRun(ByteBuffer data, int from, int to, long fileAt) throws IOException {
            ByteBuffer run = data.slice(from, to - from);
            long at = fileAt;
            while (run.hasRemaining()) {
                at += channel.write(run, at);
            }
        }

        @Override
        public long bytesWritten() {
            return written;
        }

        @Override
        public String commit() throws IOException {
            if (committed) {
                return location();
            }
            if (aborted) {
                throw new IllegalStateException("writer is aborted");
            }
            boolean moved = false;
            try {
                open();
                awaitFlush();
                if (directStream != null) {
                    directStream.finish();
                    directStream.release();
                }
                if (thinProvisioning && channel.size() < written) { // it ends in a hole: its length, not a block
                    channel.write(ByteBuffer.wrap(new byte[1]), written - 1);
                }
                channel.force(true);
                // rename(2): the final name appears complete or not at all
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                moved = true;
                writing.remove(tmp);
                syncDirectory();
            } catch (IOException e) {
                abandon(moved);
                throw translate(e);
            } catch (RuntimeException e) {
                abandon(moved);
                throw e;
            }
            committed = true;
            try {
                channel.close();
            } catch (IOException ignored) {
                // the data is durable under its final name already
            }
            return location();
        }

        private void abandon(boolean moved) {
            abort();
            if (moved) {
                deleteQuietly(target); // not known to be durable: the caller is told nothing was stored
            }
        }

        @Override
        public void abort() {
            if (committed || aborted) {
                return;
            }
            aborted = true;
            try {
                awaitFlush();
            } catch (IOException ignored) {
                // the data is being thrown away
            }
            if (channel == null) {
                return; // nothing was written: there is no file
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a file that is about to be deleted
            }
            if (directStream != null) {
                directStream.release();
            }
            deleteQuietly(tmp); // if this fails, cleanup() at the next start removes the temporary name
            writing.remove(tmp);
        }

        private void awaitFlush() throws IOException {
            if (flush == null) {
                return;
            }
            try {
                flush.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while flushing " + tmp, e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException("flushing " + tmp + " failed", e.getCause());
            } finally {
                flush = null;
            }
        }
    }

    @Override
    public void read(String location, long offset, long length, ByteSink sink) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative: " + offset + ", " + length);
        }
        Path file = path(location);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(location);
        }
        try (channel) {
            long size = channel.size();
            if (offset > size || length > size - offset) {
                throw new EOFException(location + " has " + size + " bytes, asked for " + length + " from " + offset);
            }
            long position = offset;
            long end = offset + length;
            while (position < end) {
                long window = Math.min(WINDOW, end - position);
                MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, position, window);
                sink.write(mapped);
                // Only once the sink returned normally is it done with the buffer. After a failure a socket write
                // might still reference it, and touching unmapped memory would crash the JVM: the GC unmaps it later.
                Unmapper.unmap(mapped);
                position += window;
            }
        }
    }

    @Override
    public long size(String location) throws IOException {
        try {
            return Files.size(path(location));
        } catch (NoSuchFileException e) {
            throw new BlobNotFoundException(location);
        }
    }

    @Override
    public void delete(String location) throws IOException {
        Path file;
        try {
            file = path(location);
        } catch (BlobNotFoundException e) {
            return; // not ours, so nothing of ours to delete
        }
        boolean removed = Files.deleteIfExists(file);
        String name = file.getFileName().toString();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PartialFiles.globOf(name))) {
            for (Path f : files) {
                if (name.equals(PartialFiles.imageIdOf(f)) && !writing.contains(f)) {
                    removed |= Files.deleteIfExists(f); // an interrupted write to this location
                }
            }
        }
        if (removed) {
            syncDirectory(); // else the file may come back after a power cut, with its journal entry already gone
        }
    }

    /** Removes the temporary files of other writers (dead ones, or another node's) not modified for {@code staleAfter}. */
    @Override
    public void cleanup() throws IOException {
        Instant staleBefore = clock.instant().minus(staleAfter);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PartialFiles.globOf("*"))) {
            for (Path f : files) {
                if (PartialFiles.imageIdOf(f) != null && !writing.contains(f) && !modifiedAfter(f, staleBefore)) {
                    Files.deleteIfExists(f);
                }
            }
        }
        syncDirectory();
    }

    private static boolean modifiedAfter(Path file, Instant instant) throws IOException {
        try {
            return Files.getLastModifiedTime(file).toInstant().isAfter(instant);
        } catch (NoSuchFileException e) {
            return true; // committed or aborted meanwhile: nothing to remove
        }
    }

    /** The file of a location of this store: a {@code file:} URL of a plain name directly in the store's directory. */
    Path path(String location) throws BlobNotFoundException {
        Path p;
        try {
            URI uri = URI.create(location);
            if (!"file".equalsIgnoreCase(uri.getScheme())) {
                throw new BlobNotFoundException(location);
            }
            p = Path.of(uri).toAbsolutePath().normalize();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new BlobNotFoundException(location);
        }
        if (!dir.equals(p.getParent()) || !BlobNames.valid(p.getFileName().toString())) {
            throw new BlobNotFoundException(location);
        }
        return p;
    }

    /**
     * ENOSPC, EDQUOT and EFBIG, which the JDK reports only through the message of an IOException, as glance_store's
     * filesystem driver reports them: {@code StorageFull} with its text (the errno's text stays in the cause, for the
     * log; the client is not told the store's paths).
     */
    static IOException translate(IOException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("No space left on device") || m.contains("Disk quota exceeded") || m.contains("File too large")) {
            return new StorageFullException(StorageFullException.GLANCE_STORE_MESSAGE, e);
        }
        return e;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort
        }
    }

    void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** Stops the background flush threads (idle ones also end by themselves). */
    @Override
    public void close() {
        flusher.shutdown();
    }

    @Override
    public String toString() {
        return "FileStore[" + id + ": " + dir + "]";
    }
}
