package glint.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.db.JdbcNodeLeases;
import glint.testing.MigratedDatabase;
import glint.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Node leases on a real database: a live node's work is never recovered by another, a dead node's is recovered by
 * exactly one node once its lease expired, and a recovery cut short is claimed again once its claim expired.
 */
class NodeLeaseTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    @RegisterExtension
    final MigratedDatabase database = new MigratedDatabase();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<String> recovered = new ArrayList<>();

    private NodeLease node(String name) {
        return new NodeLease(new JdbcNodeLeases(database.db()), name, LEASE, clock, dead -> recovered.add(name + " recovers " + dead));
    }

    @Test
    void aLiveNodeIsNeverRecoveredWhileItRenews() {
        NodeLease a = node("a");
        NodeLease b = node("b");
        a.register();
        b.register();
        for (int i = 0; i < 10; i++) {
            clock.advance(LEASE.dividedBy(3));
            a.tick();
            b.tick();
        }
        assertThat(recovered).isEmpty();
    }

    /** {@code periods} thirds of a lease pass, with the live nodes ticking as their timers do. */
    private void pass(int periods, NodeLease... live) {
        for (int i = 0; i < periods; i++) {
            clock.advance(LEASE.dividedBy(3));
            for (NodeLease n : live) {
                n.tick();
            }
        }
    }

    @Test
    void aDeadNodeIsRecoveredOnceByOneNodeAfterItsLeaseExpired() {
        NodeLease a = node("a");
        NodeLease b = node("b");
        NodeLease c = node("c");
        a.register();
        b.register();
        c.register();
        pass(3, b, c); // a stops renewing; exactly one lease time later it has not expired yet
        assertThat(recovered).as("not before the lease expired").isEmpty();
        pass(1, b, c);
        assertThat(recovered).containsExactly("b recovers a");
        pass(9, b, c);
        assertThat(recovered).as("the lease is gone once recovered").containsExactly("b recovers a");
    }

    @Test
    void aRecoveryCutShortIsClaimedAgainOnceTheClaimExpired() {
        NodeLease a = node("a");
        NodeLease c = node("c");
        NodeLease dying = new NodeLease(new JdbcNodeLeases(database.db()), "b", LEASE, clock, dead -> {
            throw new IllegalStateException("b died while recovering " + dead);
        });
        a.register();
        dying.register();
        c.register();
        pass(3, dying, c);
        clock.advance(LEASE.dividedBy(3));
        assertThatThrownBy(dying::tick).hasMessageContaining("b died while recovering a"); // b claimed a, then died
        c.tick();
        assertThat(recovered).as("b's claim holds for a lease time").isEmpty();
        pass(4, c);
        assertThat(recovered).as("c claims a again once b's claim expired, and b").containsExactlyInAnyOrder(
                "c recovers a", "c recovers b");
    }

    @Test
    void aNodeTakenForDeadHearsItAtItsNextRenewalAndRegistersAgain() {
        NodeLease a = node("a");
        NodeLease b = node("b");
        a.register();
        b.register();
        clock.advance(LEASE.plusSeconds(1));
        b.tick();
        assertThat(recovered).containsExactly("b recovers a");
        a.tick(); // a was paused past its lease: its work was recovered; it is a fresh node from now on
        clock.advance(LEASE.dividedBy(3));
        b.tick();
        a.tick();
        assertThat(recovered).containsExactly("b recovers a");
    }

    @Test
    void aRestartedNodeDropsAClaimOnItsPreviousLife() {
        NodeLease a = node("a");
        NodeLease b = node("b");
        a.register();
        b.register();
        clock.advance(LEASE.plusSeconds(1));
        JdbcNodeLeases leases = new JdbcNodeLeases(database.db());
        assertThat(leases.claim("a", "b", clock.instant(), clock.instant().plus(LEASE))).isTrue();
        a.register(); // a restarts (and recovers its own work at start) while b recovers it
        leases.release("a", "b");
        clock.advance(LEASE.dividedBy(2));
        a.tick();
        b.tick();
        assertThat(leases.expired("b", clock.instant())).isEmpty();
        assertThat(leases.renew("a", clock.instant().plus(LEASE))).as("a's lease survived b's release").isTrue();
    }
}
