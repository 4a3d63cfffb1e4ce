package glint.image.imports.plugins;

import com.fasterxml.jackson.databind.ObjectMapper;
import glint.config.GlintConfig.ConversionConfig;
import glint.image.imports.ImportFailed;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's qemu-img as Glance's conversion plugin runs it (glance/async_/flows/plugins/image_conversion.py
 * {@code _ConvertImage._execute}): always with the source format forced by {@code -f} (never probed: bug 1449062),
 * each run under {@link LimitedProcess} limits, and any output on standard error taken as a failure, as Glance
 * does. Paths are absolute, so qemu-img never reads a {@code proto:} prefix from them. A failure's output goes to
 * the log, not to the task's message (it names server paths).
 */
final class QemuImg {
    private static final Logger LOG = LoggerFactory.getLogger(QemuImg.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String program;
    private final LimitedProcess.Limits infoLimits;
    private final LimitedProcess.Limits convertLimits;

    QemuImg(ConversionConfig config) {
        this.program = config.qemuImg();
        this.infoLimits = new LimitedProcess.Limits(config.addressSpace(), config.infoCpuTime(), config.infoTimeout());
        this.convertLimits = new LimitedProcess.Limits(config.addressSpace(), config.convertCpuTime(),
                config.convertTimeout());
    }

    /** {@code qemu-img info -f FORMAT --output=json FILE}. */
    QemuImgInfo info(Path file, String format) throws IOException {
        String out = run("info", infoLimits, List.of(program, "info", "-f", format, "--output=json",
                file.toAbsolutePath().toString()));
        try {
            return new QemuImgInfo(JSON.readTree(out));
        } catch (IOException e) {
            LOG.warn("qemu-img info of {} printed no JSON: {}", file, out);
            throw new ImportFailed("qemu-img info failed");
        }
    }

    /** {@code qemu-img convert -f FROM -O TO SOURCE TARGET}. */
    void convert(Path source, String from, String to, Path target) throws IOException {
        run("convert", convertLimits, List.of(program, "convert", "-f", from, "-O", to,
                source.toAbsolutePath().toString(), target.toAbsolutePath().toString()));
    }

    private String run(String what, LimitedProcess.Limits limits, List<String> command) throws IOException {
        LimitedProcess.Result r;
        try {
            r = LimitedProcess.run(command, limits);
        } catch (java.io.InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            LOG.warn("qemu-img {}: {}", what, e.getMessage());
            throw new ImportFailed("qemu-img " + what + " failed: " + e.getMessage().replace(program, "qemu-img"));
        }
        if (r.exit() != 0 || !r.stderr().isBlank()) {
            LOG.warn("qemu-img {} exited with {} ({}): {}", what, r.exit(), describe(r.exit(), limits), r.stderr().strip());
            throw new ImportFailed("qemu-img " + what + " failed" + (r.exit() != 0 ? " (exit status " + r.exit() + ")" : ""));
        }
        return r.stdout();
    }

    /** What an exit status says about the limits: 152 is SIGXCPU (the CPU time limit), 134 SIGABRT (often memory). */
    private static String describe(int exit, LimitedProcess.Limits limits) {
        return switch (exit) {
            case 152, 137 -> "killed: CPU time limit " + limits.cpuSeconds() + " s?";
            case 134 -> "aborted: address space limit " + limits.addressSpace() + " bytes?";
            default -> exit == 0 ? "wrote to standard error" : "failed";
        };
    }
}
