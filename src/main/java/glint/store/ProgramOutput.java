package glint.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A blob of a {@link FileStore} that a program outside the JVM writes by path ({@code qemu-img convert SRC}
 * {@link #file()}), made by {@link FileStore#createForProgram}. As a {@link BlobWriter}, exactly one of
 * {@link #commit()} or {@link #abort()} ends it, nothing is visible under {@link #location()} before the commit, and
 * the location is known from the start so that it can be journalled first.
 *
 * <p>Its temporary file has a writer's partial name: this store's own {@link FileStore#cleanup()} leaves it alone while
 * it is open, and after a crash removes it once it is stale, as any interrupted write. The staging directory, its
 * only user, belongs to one node.
 */
public final class ProgramOutput {
    private final FileStore store;
    private final Path tmp;
    private final Path target;
    private boolean ended;

    ProgramOutput(FileStore store, Path tmp, Path target) {
        this.store = store;
        this.tmp = tmp;
        this.target = target;
    }

    /** Where the program writes; it does not exist until the program creates it. */
    public Path file() {
        return tmp;
    }

    public String location() {
        return target.toUri().toString();
    }

    /** Makes what the program wrote durable and visible under {@link #location()}; aborts when this throws. */
    public String commit() throws IOException {
        if (ended) {
            throw new IllegalStateException("program output " + tmp + " has ended");
        }
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            c.force(true);
        } catch (NoSuchFileException e) {
            abort();
            throw new IOException("the program wrote no output to " + tmp, e);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
        boolean moved = false;
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            store.syncDirectory();
        } catch (IOException | RuntimeException e) {
            abort();
            if (moved) {
                Files.deleteIfExists(target); // not known to be durable: the caller is told nothing was stored
            }
            throw e;
        }
        ended = true;
        store.released(tmp);
        return location();
    }

    /** Discards the output. Never throws; idempotent; does nothing after a successful {@link #commit()}. */
    public void abort() {
        if (ended) {
            return;
        }
        ended = true;
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // cleanup() at the next start removes the temporary name
        }
        store.released(tmp);
    }
}
