-- Keystone's [security_compliance] lockout (local_user.failed_auth_count, failed_auth_at): failed password checks
-- since the last successful one, and when the last failure was (epoch ms).
ALTER TABLE identity_users ADD COLUMN failed_auth_count INTEGER;
ALTER TABLE identity_users ADD COLUMN failed_auth_at BIGINT;

-- One counter that every identity write raises in its own transaction. Each node keeps validated tokens only while
-- the counter is where it was when they were validated, so a password change, a disabled or deleted user, a role
-- taken away or a revoked token ends the token on every node at once, not after a node-local cache expires.
CREATE TABLE identity_revision (
    id       INTEGER NOT NULL PRIMARY KEY,
    revision BIGINT  NOT NULL
);
INSERT INTO identity_revision (id, revision) VALUES (1, 0);
