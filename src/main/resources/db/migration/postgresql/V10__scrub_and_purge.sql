-- Every image id ever created, never deleted (Glance's OSSN-0075: a deleted image's id must not be reused, or a
-- client that still holds it would get another image). images.insert adds the id here in the same transaction, so
-- the rows of deleted images may be purged (glint db purge-images-table) while their ids stay taken.
CREATE TABLE image_ids (
    id         VARCHAR(36) NOT NULL PRIMARY KEY,
    created_at BIGINT      NOT NULL
);
INSERT INTO image_ids (id, created_at) SELECT id, created_at FROM images;
-- The scrubber's query (status pending_delete, deleted_at past scrub_time) and the purge's (status deleted,
-- deleted_at older than the age), in batches ordered by deleted_at.
CREATE INDEX ix_images_status_deleted_at ON images (status, deleted_at);
