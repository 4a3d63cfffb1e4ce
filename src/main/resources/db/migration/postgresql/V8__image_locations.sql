-- Locations as Glance keeps them: several per store (a client may add http locations through the locations API), in
-- the order they were added (position), with their metadata (JSON; Glance's meta_data without "store", which is the
-- store column); owned: Glint wrote the data for this image, so removing the location or the image removes the data.
-- A location a client added is never owned: its data is a web server's or another image's. Existing rows were all
-- written by Glint (uploads, imports).
CREATE TABLE image_locations_v8 (
    image_id   VARCHAR(36)   NOT NULL,
    position   INTEGER       NOT NULL,
    store      VARCHAR(255)  NOT NULL,
    location   VARCHAR(2048) NOT NULL,
    status     VARCHAR(30)   NOT NULL,
    metadata   TEXT          NOT NULL,
    owned      BOOLEAN       NOT NULL,
    created_at BIGINT        NOT NULL,
    PRIMARY KEY (image_id, position)
);
INSERT INTO image_locations_v8 (image_id, position, store, location, status, metadata, owned, created_at)
SELECT image_id, ROW_NUMBER() OVER (PARTITION BY image_id ORDER BY created_at, store) - 1, store, location, status, '{}',
       TRUE, created_at
FROM image_locations;
DROP TABLE image_locations;
ALTER TABLE image_locations_v8 RENAME TO image_locations;
CREATE INDEX ix_image_locations_location ON image_locations (location);
