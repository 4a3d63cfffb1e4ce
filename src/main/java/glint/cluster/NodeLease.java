package glint.cluster;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's lease on its work in progress, and the recovery of nodes that died.
 *
 * <p>Uploads, staged data and import tasks belong to the node that runs them (the data journal's and the tasks'
 * {@code node}). A node renews its lease every third of {@code node_lease_time}; a node that stops (killed, host
 * gone, cut off from the database) stops renewing, and once its lease has expired one of the other nodes claims it
 * (a compare-and-set in the database: one claimant wins) and runs the same recovery the node would run at its own
 * start ({@link Recovery}): uploads cut short go back to {@code queued} with their data removed, its import tasks
 * fail and their images are reverted. Then the lease row goes. A claimant that dies before it finishes leaves the
 * claim to expire in turn, and another node claims it again; recovery is idempotent.
 *
 * <p>A live node never loses its work to another: only an expired lease is claimed, and a node that could not renew
 * for a whole {@code node_lease_time} (a database outage longer than that, a stop-the-world pause) hears so at its
 * next renewal and logs it; an upload of such a node that was recovered by another can no longer activate its image,
 * since its journal entry is gone (see {@code JdbcImageRepository.activate}).
 */
public final class NodeLease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLease.class);

    /** What a node runs for a dead node's work (and for its own at start). */
    @FunctionalInterface
    public interface Recovery {
        void recover(String node);
    }

    private final NodeLeases leases;
    private final String node;
    private final Duration leaseTime;
    private final Clock clock;
    private final Recovery recovery;
    private ScheduledExecutorService timer;
    private volatile boolean lost;

    public NodeLease(NodeLeases leases, String node, Duration leaseTime, Clock clock, Recovery recovery) {
        this.leases = leases;
        this.node = node;
        this.leaseTime = leaseTime;
        this.clock = clock;
        this.recovery = recovery;
    }

    /** Takes this node's lease (before the node's own recovery at start, so no other node runs it meanwhile). */
    public void register() {
        Instant now = clock.instant();
        leases.register(node, now.plus(leaseTime), now);
    }

    /** Renews the lease, then recovers the nodes whose lease expired; every third of the lease time from now on. */
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-lease");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, leaseTime.toMillis() / 3);
        timer.scheduleWithFixedDelay(this::tickQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            // the database is away: the next tick tries again (a lease outlives two missed renewals)
            LOG.warn("node lease of {}: {}", node, e.toString());
        }
    }

    /** One round: renew this node's lease, then claim and recover each expired one. */
    public void tick() {
        Instant now = clock.instant();
        if (!leases.renew(node, now.plus(leaseTime))) {
            if (!lost) {
                LOG.error("node {}: its lease expired and was claimed by another node, which recovered its uploads and "
                        + "tasks in flight; registering again", node);
            }
            lost = true;
            leases.register(node, now.plus(leaseTime), now);
        } else {
            lost = false;
        }
        for (String dead : leases.expired(node, now)) {
            recoverIfClaimed(dead);
        }
    }

    private void recoverIfClaimed(String dead) {
        Instant now = clock.instant();
        if (!leases.claim(dead, node, now, now.plus(leaseTime))) {
            return; // another node claimed it first, or it came back
        }
        LOG.warn("node {}'s lease expired; recovering its uploads, staged data and tasks", dead);
        recovery.recover(dead);
        leases.release(dead, node);
        LOG.info("node {} recovered", dead);
    }

    public String node() {
        return node;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
