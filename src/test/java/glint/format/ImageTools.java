package glint.format;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs Debian's image tools (qemu-img, genisoimage, sfdisk, cryptsetup, mkfs.fat, tar) for the tests. A test is
 * skipped only when a tool is not installed; {@code ./test} installs them ({@code ensure_image_tools}), so there
 * they always run. A tool that is there but fails is a test failure.
 */
final class ImageTools {
    private static final List<String> SBIN = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    private ImageTools() {}

    static Optional<Path> find(String tool) {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(SBIN);
        for (String dir : dirs) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    static void assume(String tool) {
        Assumptions.assumeTrue(find(tool).isPresent(), tool + " is not installed (./test installs it)");
    }

    /**
     * Runs {@code cmd} in {@code dir}, feeding {@code input} (or nothing), and returns its standard output. A LUKS
     * image's {@code qemu-img create} is run again (at most 5 times) when qemu's PBKDF benchmark fails with "Unable to
     * get accurate CPU usage": it measures its own thread's CPU time, which a loaded machine can leave at zero for the
     * few milliseconds {@code encrypt.iter-time} asks for. That is the tool's setup, not what the tests judge.
     */
    static String runWithInput(Path dir, String input, String... cmd) {
        for (int attempt = 1; ; attempt++) {
            try {
                return runOnce(dir, input, cmd);
            } catch (AssertionError e) {
                if (attempt >= 5 || e.getMessage() == null || !e.getMessage().contains("Unable to get accurate CPU usage")) {
                    throw e;
                }
            }
        }
    }

    private static String runOnce(Path dir, String input, String... cmd) {
        assume(cmd[0]);
        List<String> argv = new ArrayList<>(Arrays.asList(cmd));
        argv.set(0, find(cmd[0]).orElseThrow().toString());
        try {
            Path err = Files.createTempFile(dir, "stderr", ".txt");
            Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectError(err.toFile()).start();
            try (var in = p.getOutputStream()) {
                if (input != null) {
                    in.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", argv).isTrue();
            assertThat(p.exitValue()).as("%s exit status; stderr: %s", argv, Files.readString(err)).isZero();
            Files.delete(err);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String run(Path dir, String... cmd) {
        return runWithInput(dir, null, cmd);
    }

    /** {@code qemu-img info --output=json}, with {@code -f format} when format is not null. */
    static JsonNode qemuInfo(Path file, String format) {
        List<String> cmd = new ArrayList<>(List.of("qemu-img", "info", "--output=json"));
        if (format != null) {
            cmd.addAll(List.of("-f", format));
        }
        cmd.add(file.getFileName().toString());
        try {
            return new ObjectMapper().readTree(run(file.getParent(), cmd.toArray(String[]::new)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
