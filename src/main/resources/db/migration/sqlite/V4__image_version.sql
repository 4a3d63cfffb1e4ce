-- Optimistic concurrency for metadata writes: every UPDATE of an image adds 1; a PATCH or tag change saves only if
-- the version it read is still current (ImageRepository.updateMetadata), so concurrent writers cannot lose each other's changes.
ALTER TABLE images ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
