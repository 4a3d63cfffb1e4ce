package glint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.testing.TestBytes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file store writing through the page cache; {@link DirectFileStoreTest} runs the same with direct I/O. */
class FileStoreTest extends BlobStoreConformanceTest {
    @TempDir
    Path dir;

    @Override
    protected BlobStore openStore() throws Exception {
        // small flush interval: exercise the flusher
        return new FileStore("file", dir.resolve("images"), 1 << 20, false);
    }

    @Override
    protected BlobStore reopenStore(Clock clock) throws Exception {
        return new FileStore("file", dir.resolve("images"), FileStore.DEFAULT_FLUSH_EVERY, false, BlobStore.STALE_AFTER, clock);
    }

    @Override
    protected List<String> storedObjects() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("images"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    protected long maxReadBuffer() {
        return FileStore.WINDOW;
    }

    @Test
    void aMissingDirectoryIsAProblemForTheHealthcheck() throws Exception {
        Files.delete(dir.resolve("images"));
        assertThat(store.problem()).hasValueSatisfying(p -> assertThat(p).contains("images").contains("missing"));
    }

    @Test
    void locationsAreGlanceFileUrlsNamedByImageId() throws Exception {
        String id = UUID.randomUUID().toString();
        String location = put(id, 1, 10, 10);
        Path file = dir.resolve("images").resolve(id).toAbsolutePath();
        assertThat(location).isEqualTo("file://" + file);
        assertThat(Files.readAllBytes(file)).isEqualTo(TestBytes.bytes(1, 10));
    }

    @Test
    void writesGoToATemporaryFileBesideTheTarget() throws Exception {
        String id = UUID.randomUUID().toString();
        BlobWriter w = store.create(id);
        w.write(ByteBuffer.wrap(TestBytes.bytes(2, 5000)));
        List<String> during = storedObjects();
        assertThat(during).hasSize(1);
        assertThat(during.get(0)).startsWith("." + id + ".").endsWith(".partial");
        w.commit();
        assertThat(storedObjects()).containsExactly(id);
    }

    @Test
    void refusesLocationsOutsideItsDirectory() throws Exception {
        Path outside = Files.writeString(dir.resolve("secret"), "secret");
        String location = outside.toUri().toString();
        assertThatThrownBy(() -> store.size(location)).isInstanceOf(BlobNotFoundException.class);
        assertThatThrownBy(() -> get(location, 0, 1)).isInstanceOf(BlobNotFoundException.class);
        String sneaky = "file://" + dir.resolve("images").toAbsolutePath() + "/../secret";
        assertThatThrownBy(() -> store.size(sneaky)).isInstanceOf(BlobNotFoundException.class);
        store.delete(location);
        store.delete(sneaky);
        assertThat(outside).exists();

        BlobWriter partial = store.create(UUID.randomUUID().toString());
        partial.write(ByteBuffer.wrap(new byte[10]));
        String tmp = "file://" + dir.resolve("images").resolve(storedObjects().get(0)).toAbsolutePath();
        assertThatThrownBy(() -> store.size(tmp)).isInstanceOf(BlobNotFoundException.class); // partial data is never served
        partial.abort();
    }

    @Test
    void cleanupKeepsForeignFiles() throws Exception {
        Path images = dir.resolve("images");
        Files.writeString(images.resolve("notes.txt"), "kept");
        Files.writeString(images.resolve(".notes.partial"), "kept: not a temporary name of this store");
        try (BlobStore later = reopenStore(Clock.offset(Clock.systemUTC(), Duration.ofDays(1)))) {
            later.cleanup();
        }
        assertThat(storedObjects()).containsExactly(".notes.partial", "notes.txt");
    }

    @Test
    void staleMeansNotModifiedForTheAgeBound() throws Exception {
        String id = UUID.randomUUID().toString();
        BlobWriter w = store.create(id);
        w.write(ByteBuffer.wrap(TestBytes.bytes(4, 100)));
        Path tmp = dir.resolve("images").resolve(storedObjects().get(0));
        Instant now = Instant.now();
        Files.setLastModifiedTime(tmp, FileTime.from(now.minus(BlobStore.STALE_AFTER).minusSeconds(60)));
        try (BlobStore other = reopenStore(Clock.systemUTC())) {
            w.write(ByteBuffer.wrap(TestBytes.bytes(4, 8 << 20))); // progress (past a direct writer's staging buffer): modified now
            other.cleanup();
            assertThat(tmp).exists();
            Files.setLastModifiedTime(tmp, FileTime.from(now.minus(BlobStore.STALE_AFTER).minusSeconds(60)));
            other.cleanup(); // no progress for the age bound: another node takes it for a dead writer's
            assertThat(tmp).doesNotExist();
        }
        w.abort();
    }

    @Test
    void aKilledWriterLeavesCommittedDataCompleteAndNothingElseAfterCleanup() throws Exception {
        // a real process, really killed: the operating system drops its lock as it would after a crash
        Path images = dir.resolve("images");
        String committedId = UUID.randomUUID().toString();
        String cutId = UUID.randomUUID().toString();
        int size = 3 << 20;
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(),
                images.toString(), committedId, cutId, Integer.toString(size))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("writing");
            store.cleanup(); // another node restarting on a shared directory: the live upload is left alone
            assertThat(storedObjects()).hasSize(2);
            child.destroyForcibly(); // SIGKILL while the second blob is half written
            assertThat(child.waitFor()).isNotZero();
        }
        assertThat(storedObjects()).hasSize(2).contains(committedId);

        store.cleanup(); // young: could be a live writer of another node
        assertThat(storedObjects()).hasSize(2);
        try (BlobStore later = reopenStore(Clock.offset(Clock.systemUTC(), BlobStore.STALE_AFTER.plusMinutes(1)))) {
            later.cleanup();
        }
        assertThat(storedObjects()).containsExactly(committedId);
        TestBytes.CheckingSink sink = new TestBytes.CheckingSink(21, 0);
        store.read(images.resolve(committedId).toUri().toString(), 0, size, sink);
        assertThat(sink.received()).isEqualTo(size);
        assertThat(store.create(cutId).location()).endsWith("/" + cutId); // the interrupted image can be uploaded again
    }

    /** Run in a child JVM: commits one blob, half-writes another, says so, then waits to be killed. */
    public static final class CrashingWriter {
        public static void main(String[] args) throws Exception {
            FileStore store = new FileStore("file", Path.of(args[0]));
            int size = Integer.parseInt(args[3]);
            BlobWriter done = store.create(args[1]);
            done.write(ByteBuffer.wrap(TestBytes.bytes(21, size)));
            done.commit();
            BlobWriter cut = store.create(args[2]);
            cut.write(ByteBuffer.wrap(TestBytes.bytes(22, size / 2)));
            System.out.println("writing");
            System.out.flush();
            System.in.read(); // never returns: the parent kills this process
        }
    }
}
