package glint.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real, size-limited file system (tmpfs with {@code size=}) mounted for one test, so that a store on it meets a
 * real {@code ENOSPC}; and a filler file that takes all but a little of its space, as another program filling the
 * disk would. Mounting needs root (CI runs as root); where {@code mount} is refused the test is skipped, saying so.
 */
public final class SmallFileSystem implements AutoCloseable {
    private final Path mountPoint;

    private SmallFileSystem(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code bytes} on a fresh temporary directory; skips the test when that is impossible. */
    public static SmallFileSystem mount(long bytes) {
        try {
            Path dir = Files.createTempDirectory("glint-small-fs-");
            int exit = run("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0755", "tmpfs", dir.toString());
            if (exit != 0) {
                Files.deleteIfExists(dir);
            }
            Assumptions.assumeTrue(exit == 0, "mount -t tmpfs failed (exit " + exit + "): this test needs root and "
                    + "permission to mount; CI runs as root");
            return new SmallFileSystem(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path path() {
        return mountPoint;
    }

    /** Bytes still free for an unprivileged writer. */
    public long free() {
        try {
            return Files.getFileStore(mountPoint).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a file that leaves at most {@code leave} bytes free; returns it (delete it to free the space). */
    public Path fill(String name, long leave) {
        Path filler = mountPoint.resolve(name);
        try (FileChannel out = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer block = ByteBuffer.allocate(64 * 1024);
            while (free() > leave) {
                block.clear();
                block.limit((int) Math.min(block.capacity(), Math.max(4096, free() - leave)));
                while (block.hasRemaining()) {
                    out.write(block);
                }
            }
            out.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return filler;
    }

    @Override
    public void close() {
        try {
            run("umount", "-l", mountPoint.toString());
            Files.deleteIfExists(mountPoint);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command[0], e);
        }
    }
}
