package glint.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's image tools (qemu-img, …) to make test images; {@code ./test} installs them (scripts/lib.sh
 * {@code ensure_image_tools}). A tool that fails is a test failure with its output.
 */
public final class ImageTool {
    private ImageTool() {}

    /** Runs the command in {@code dir} and returns its standard output; fails on a non-zero exit. */
    public static String run(Path dir, String... command) {
        try {
            Path out = Files.createTempFile(dir, "tool", ".out");
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            Files.delete(out);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " exited with " + p.exitValue() + ": " + output);
            }
            return output;
        } catch (IOException e) {
            throw new AssertionError("could not run " + String.join(" ", command) + " (is it installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code qemu-img create -f format [options…] name size} in {@code dir}; returns the file. */
    public static Path qemuImgCreate(Path dir, String name, String format, String size, String... options) {
        List<String> cmd = new ArrayList<>(List.of("qemu-img", "create", "-q", "-f", format));
        cmd.addAll(List.of(options));
        cmd.add(name);
        cmd.add(size);
        run(dir, cmd.toArray(String[]::new));
        return dir.resolve(name);
    }
}
