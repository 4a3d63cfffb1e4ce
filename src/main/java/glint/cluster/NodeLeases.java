package glint.cluster;

import java.time.Instant;
import java.util.List;

/** The nodes' leases (table {@code node_leases}, see the V12 migration); implemented in {@code glint.db}. */
public interface NodeLeases {
    /** This node's lease, held until {@code expires}: a claim another node made on a previous life is dropped. */
    void register(String node, Instant expires, Instant now);

    /**
     * Extends this node's lease to {@code expires}.
     *
     * @return false when the lease is gone or claimed by another node (this node was taken for dead)
     */
    boolean renew(String node, Instant expires);

    /** The nodes whose lease expired before {@code now} (claimed or not), other than {@code self}. */
    List<String> expired(String self, Instant now);

    /**
     * Claims the expired lease of {@code node} for {@code heir} until {@code until}: a compare-and-set on the lease
     * having expired before {@code now}, so one node wins.
     */
    boolean claim(String node, String heir, Instant now, Instant until);

    /** Ends the lease of {@code node} once {@code heir} recovered it (nothing if the node came back meanwhile). */
    void release(String node, String heir);
}
