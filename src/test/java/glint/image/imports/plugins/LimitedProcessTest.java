package glint.image.imports.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.testing.DatabaseNeutral;
import glint.testing.ImageTool;
import glint.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits a program runs under: address space, CPU time, wall-clock time (then its whole group is killed). */
@DatabaseNeutral
class LimitedProcessTest {
    private static final long GiB = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void aProgramWithinItsLimitsGivesItsOutput() throws IOException {
        LimitedProcess.Result r = LimitedProcess.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"),
                new LimitedProcess.Limits(GiB, 10, Duration.ofSeconds(30)));
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
    }

    @Test
    void itRunsInItsOwnProcessGroupUnderTheLimits() throws IOException {
        LimitedProcess.Result r = LimitedProcess.run(List.of("sh", "-c",
                        "echo $$ $(ps -o pgid= -p $$) $(ulimit -t) $(ulimit -v)"),
                new LimitedProcess.Limits(GiB, 7, Duration.ofSeconds(30)));
        String[] f = r.stdout().trim().split("\\s+");
        assertThat(f[1]).as("process group id is the program's pid").isEqualTo(f[0]);
        assertThat(f[2]).isEqualTo("7");
        assertThat(Long.parseLong(f[3]) * 1024).isEqualTo(GiB);
    }

    @Test
    void qemuImgRunsOutOfAddressSpace() throws IOException {
        Path qcow2 = ImageTool.qemuImgCreate(dir, "a.qcow2", "qcow2", "64M");
        LimitedProcess.Result r = LimitedProcess.run(List.of("qemu-img", "info", "-f", "qcow2", qcow2.toString()),
                new LimitedProcess.Limits(16L << 20, 10, Duration.ofSeconds(30)));
        assertThat(r.exit()).isNotZero();
        assertThat(LimitedProcess.run(List.of("qemu-img", "info", "-f", "qcow2", qcow2.toString()),
                new LimitedProcess.Limits(GiB, 10, Duration.ofSeconds(30))).exit()).isZero();
    }

    @Test
    void aBusyProgramIsStoppedByItsCpuTimeLimit() throws IOException {
        LimitedProcess.Result r = LimitedProcess.run(List.of("sh", "-c", "while :; do :; done"),
                new LimitedProcess.Limits(GiB, 1, Duration.ofSeconds(60)));
        // soft and hard limit are the same: the kernel's SIGKILL for the hard limit may come before its SIGXCPU
        assertThat(r.exit()).as("SIGXCPU or SIGKILL").isIn(128 + 24, 128 + 9);
    }

    @Test
    void aProgramPastItsTimeoutIsKilledWithWhatItStarted() throws IOException {
        Path pid = dir.resolve("pid");
        assertThatThrownBy(() -> LimitedProcess.run(List.of("sh", "-c", "sleep 300 & echo $! > " + pid + "; wait"),
                new LimitedProcess.Limits(GiB, 10, Duration.ofMillis(500))))
                .isInstanceOf(IOException.class).hasMessage("sh did not finish within 0 s and was killed");
        long child = Long.parseLong(Files.readString(pid).trim());
        Poll.until("sleep " + child + " ends", Duration.ofSeconds(10),
                () -> !ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
    }
}
