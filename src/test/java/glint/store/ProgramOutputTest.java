package glint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.store.BlobExistsException;
import glint.testing.DatabaseNeutral;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A blob a program writes by path ({@link FileStore#createForProgram}), and the file of a committed blob. */
@DatabaseNeutral
class ProgramOutputTest {
    @TempDir
    Path dir;

    private long filesIn(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void whatTheProgramWroteIsTheBlobOnceCommitted() throws Exception {
        FileStore store = new FileStore("staging", dir);
        ProgramOutput out = store.createForProgram("img.raw");
        assertThat(out.location()).isEqualTo(dir.resolve("img.raw").toUri().toString());
        assertThat(out.file().getParent()).isEqualTo(dir.toAbsolutePath());
        assertThatThrownBy(() -> store.size(out.location())).isInstanceOf(BlobNotFoundException.class);
        Files.write(out.file(), new byte[] {1, 2, 3});
        store.cleanup();
        assertThat(out.file()).as("an open output is not a leftover").exists();
        assertThat(out.commit()).isEqualTo(out.location());
        assertThat(store.size(out.location())).isEqualTo(3);
        assertThat(store.file(out.location())).isEqualTo(dir.toAbsolutePath().resolve("img.raw"));
        assertThat(filesIn(dir)).isEqualTo(1);
        assertThatThrownBy(() -> store.createForProgram("img.raw")).isInstanceOf(BlobExistsException.class);
    }

    @Test
    void abortAndNoOutputLeaveNothing() throws Exception {
        FileStore store = new FileStore("staging", dir);
        ProgramOutput aborted = store.createForProgram("a");
        Files.write(aborted.file(), new byte[10]);
        aborted.abort();
        ProgramOutput silent = store.createForProgram("b");
        assertThatThrownBy(silent::commit).hasMessageContaining("wrote no output");
        assertThat(filesIn(dir)).isZero();
        assertThatThrownBy(() -> store.file(silent.location())).isInstanceOf(BlobNotFoundException.class);
    }

    @Test
    void aCrashLeavesTheOutputForCleanupAtTheNextStart() throws Exception {
        ProgramOutput out = new FileStore("staging", dir).createForProgram("img.qcow2");
        Files.write(out.file(), new byte[10]);
        // the next start: no live writer of this store holds it, and staging is this node's alone (no age bound)
        new FileStore("staging", dir, FileStore.DEFAULT_FLUSH_EVERY, false, java.time.Duration.ZERO,
                java.time.Clock.systemUTC()).cleanup();
        assertThat(filesIn(dir)).isZero();
    }
}
