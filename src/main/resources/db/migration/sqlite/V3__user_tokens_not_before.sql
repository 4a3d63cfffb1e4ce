-- Keystone revokes a user's tokens when the password changes: tokens issued before this instant (epoch ms) are dead.
ALTER TABLE identity_users ADD COLUMN tokens_not_before BIGINT;
