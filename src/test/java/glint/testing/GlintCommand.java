package glint.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code glint} command line ({@code glint.Main}, as {@code ./glint} runs it) in a child process, with the
 * test class path: {@code glint scrub}, {@code glint db purge}, {@code glint cache prune}, … beside a running
 * {@link TestServer}, on its data directory and database.
 */
public final class GlintCommand {
    /** What the command printed, and its exit status. */
    public record Result(int exit, String out, String err) {}

    private GlintCommand() {}

    /**
     * Runs {@code glint ARGS --data-dir DIR --config DIR/cli-N.conf}, the configuration being {@code iniLines} (INI,
     * {@code [DEFAULT]} first) and {@code [database] connection = databaseUrl}. Waits two minutes at most.
     */
    public static Result run(Path dataDir, String databaseUrl, List<String> iniLines, String... args) {
        try {
            Path conf = Files.createTempFile(dataDir, "cli-", ".conf");
            List<String> lines = new ArrayList<>();
            lines.add("[DEFAULT]");
            lines.addAll(iniLines);
            lines.add("[database]");
            lines.add("connection = " + databaseUrl);
            Files.write(conf, lines);
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-cp", System.getProperty("java.class.path"), "glint.Main"));
            cmd.addAll(List.of(args));
            cmd.addAll(List.of("--data-dir", dataDir.toString(), "--config", conf.toString()));
            Path out = Files.createTempFile("glint-cli-", ".out");
            Path err = Files.createTempFile("glint-cli-", ".err");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("glint " + String.join(" ", args) + " did not end within 2 minutes");
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            Files.deleteIfExists(conf);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
