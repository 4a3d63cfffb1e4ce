package glint.image.imports.plugins;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a program under process limits, as oslo.concurrency's {@code processutils.execute(..., prlimit=...)} runs
 * qemu-img for Glance (glance/async_/utils.py {@code QEMU_IMG_PROC_LIMITS}): {@code prlimit --as --cpu} from
 * util-linux sets the address space and CPU time limits of the program before it starts, {@code setsid} makes it
 * the leader of a new process group, which is killed as a whole when the wall-clock timeout passes or the task is
 * interrupted, and {@code setpriv --pdeathsig KILL} has the kernel kill it when the JVM dies (a crash or a
 * {@code kill -9}: the next start removes its output, see {@code glint.store.ProgramOutput}), or when the thread
 * that started it ends (an import task's thread outlives its programs). Standard input is empty; standard output and error are kept up to {@value #KEPT} bytes each (the
 * rest is read and dropped, so a chatty program never blocks on a full pipe).
 */
final class LimitedProcess {
    private static final Logger LOG = LoggerFactory.getLogger(LimitedProcess.class);
    static final int KEPT = 1 << 20;

    /** Address space in bytes, CPU time in seconds, and wall-clock time. */
    record Limits(long addressSpace, int cpuSeconds, Duration timeout) {}

    /** How it ended: the exit status (128 + signal when a signal ended it), and its output. */
    record Result(int exit, String stdout, String stderr) {}

    private LimitedProcess() {}

    /** @throws IOException when it cannot be started, timed out (then it has been killed), or was interrupted */
    static Result run(List<String> command, Limits limits) throws IOException {
        List<String> argv = new ArrayList<>(List.of("setsid", "setpriv", "--pdeathsig", "KILL", "--",
                "prlimit", "--as=" + limits.addressSpace(), "--cpu=" + limits.cpuSeconds(), "--"));
        argv.addAll(command);
        Process p = new ProcessBuilder(argv).start();
        p.getOutputStream().close();
        Drain out = Drain.start(p.getInputStream(), command.get(0) + "-out");
        Drain err = Drain.start(p.getErrorStream(), command.get(0) + "-err");
        try {
            if (!p.waitFor(limits.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                killGroup(p);
                throw new IOException(command.get(0) + " did not finish within " + limits.timeout().toSeconds()
                        + " s and was killed");
            }
            return new Result(p.exitValue(), out.text(), err.text());
        } catch (InterruptedException e) {
            killGroup(p);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(command.get(0) + " was interrupted and killed");
        }
    }

    /**
     * SIGKILL to the process group {@code setsid} made (its id is the program's pid: setsid only forks when it is a
     * group leader already, which a child of the JVM is not), then to the process and what it started, in case.
     */
    private static void killGroup(Process p) {
        try {
            Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            kill.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            LOG.warn("could not kill the process group of {}: {}", p.pid(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Reads a stream to its end on its own thread, keeping the first {@value #KEPT} bytes. */
    private static final class Drain implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final Thread thread;

        private Drain(InputStream in, String name) {
            this.in = in;
            this.thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        static Drain start(InputStream in, String name) {
            Drain d = new Drain(in, name);
            d.thread.start();
            return d;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (kept) {
                        kept.write(buf, 0, Math.max(0, Math.min(n, KEPT - kept.size())));
                    }
                }
            } catch (IOException e) {
                // the process is gone; what was read is kept
            }
        }

        /** What was read, once the stream has ended (the process has exited and closed it). */
        String text() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
