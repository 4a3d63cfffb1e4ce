package glint.data;

import glint.store.BlobWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The moving parts of one upload in {@link UploadPipeline}: its three stages (writer, MD5, {@code os_hash}) on worker
 * threads, the pieces in flight between the reader and them, and the first failure of any of them.
 *
 * <p>Life of a piece: the reader {@linkplain #reserve() reserves room} (at most {@code bound} pieces are in flight),
 * reads a piece from its source and {@linkplain #dispatch dispatches} it to the three stage queues; each stage reads it
 * through its own view of the buffer, and the last one done releases it to its source. Invariants that keep this
 * deadlock-free: a stage queue holds each piece in flight at most once, plus the end marker, so adding never blocks; a
 * stage always drains its queue to the end marker, even after a failure or an interrupt, so every piece is released
 * and {@link #end()} returns.
 */
final class UploadStages {
    private static final int STAGES = 3;

    private final Semaphore room;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch stagesDone = new CountDownLatch(STAGES);
    private final Stage md5;
    private final Stage hash;
    private final List<Stage> stages;
    private final InFlight endMarker = new InFlight(null);
    private volatile boolean cancelled;
    private int started;
    private boolean ended;

    UploadStages(BlobWriter writer, HashAlgorithm algorithm, int bound) {
        this.room = new Semaphore(bound);
        Stage write = new Stage("write", bound, piece -> writer.write(piece.data().duplicate()), null);
        this.md5 = new Stage("md5", bound, null, HashAlgorithm.md5().newDigest());
        this.hash = new Stage(algorithm.name(), bound, null, algorithm.newDigest());
        this.stages = List.of(write, md5, hash);
    }

    /** Starts the stages; if the executor refuses one, the exception ends the upload and cancel() ends the others. */
    void start(Executor workers) {
        for (Stage s : stages) {
            workers.execute(s);
            started++;
        }
    }

    /** Waits until fewer than {@code bound} pieces are in flight; each reservation ends in dispatch or unreserve. */
    void reserve() throws InterruptedIOException {
        try {
            room.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("upload interrupted");
        }
    }

    /** Gives back a reservation that no piece used. */
    void unreserve() {
        room.release();
    }

    /** Hands a piece to the stages on a reservation; it is released when all of them are done with it. */
    void dispatch(UploadSource.Piece piece) {
        InFlight f = new InFlight(piece);
        for (Stage s : stages) {
            s.queue.add(f);
        }
    }

    /** Rethrows the first failure of a stage, if any. */
    void throwIfFailed() throws IOException {
        Throwable t = failure.get();
        if (t == null) {
            return;
        }
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        throw new IOException("upload failed", t);
    }

    /** End of data: waits until the stages have written and digested everything; then surfaces their failures. */
    void finish() throws IOException {
        end();
        throwIfFailed();
    }

    /** Stops the stages without further work and waits for them: afterwards no piece is held and no stage runs. */
    void cancel() {
        cancelled = true;
        end();
    }

    String md5Hex() {
        return md5.hex();
    }

    String hashHex() {
        return hash.hex();
    }

    private void end() {
        if (!ended) {
            ended = true;
            for (int i = 0; i < started; i++) {
                stages.get(i).queue.add(endMarker);
            }
            for (int i = started; i < STAGES; i++) {
                stagesDone.countDown();
            }
        }
        boolean interrupted = false;
        while (true) {
            try {
                stagesDone.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the stages are finite; returning earlier would release pieces still in use
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface PieceWork {
        void accept(UploadSource.Piece piece) throws IOException;
    }

    /** One consumer of the upload's pieces, in order, on a worker thread: the writer or one digest. */
    private final class Stage implements Runnable {
        final BlockingQueue<InFlight> queue;
        private final String name;
        private final PieceWork work;
        private final MessageDigest digest;
        private byte[] result;

        Stage(String name, int bound, PieceWork work, MessageDigest digest) {
            this.name = name;
            this.queue = new ArrayBlockingQueue<>(bound + 1);
            this.work = work;
            this.digest = digest;
        }

        @Override
        public void run() {
            boolean interrupted = false;
            Thread thread = Thread.currentThread();
            String poolName = thread.getName();
            thread.setName("upload-" + name); // tells the stages apart in thread dumps and per-thread CPU figures
            try {
                while (true) {
                    InFlight f;
                    try {
                        f = queue.take();
                    } catch (InterruptedException e) {
                        interrupted = true; // keep draining: the reader waits for room and for the end
                        continue;
                    }
                    if (f == endMarker) {
                        if (digest != null && !skipping()) {
                            result = digest.digest();
                        }
                        return;
                    }
                    try {
                        if (!skipping()) {
                            if (digest != null) {
                                digest.update(f.piece.data().duplicate());
                            } else {
                                work.accept(f.piece);
                            }
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        f.done();
                    }
                }
            } finally {
                thread.setName(poolName);
                stagesDone.countDown();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private boolean skipping() {
            return cancelled || failure.get() != null;
        }

        String hex() {
            return HexFormat.of().formatHex(result);
        }
    }

    /** A piece on its way through the stages; released, and its room freed, when the last stage is done with it. */
    private final class InFlight {
        final UploadSource.Piece piece;
        final AtomicInteger pending = new AtomicInteger(STAGES);

        InFlight(UploadSource.Piece piece) {
            this.piece = piece;
        }

        void done() {
            if (pending.decrementAndGet() == 0) {
                piece.release();
                room.release();
            }
        }
    }
}
