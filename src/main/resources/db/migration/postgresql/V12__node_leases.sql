-- Node leases: one row per Glint node sharing this database (glint.cluster.NodeLeases). A live node renews its row
-- (lease_expires, epoch milliseconds) every third of [cluster] node_lease_time; once a lease has expired, one other
-- node claims it (recovered_by, lease_expires pushed on: a compare-and-set on the expired value), recovers that node's
-- data journal entries (pending_data.node) and tasks (tasks.node), then deletes the row. A claim that is itself not
-- finished in time expires and is claimed again.
CREATE TABLE node_leases (
    node          VARCHAR(255) NOT NULL PRIMARY KEY,
    lease_expires BIGINT       NOT NULL,
    recovered_by  VARCHAR(255),
    started_at    BIGINT       NOT NULL
);
