-- Image records (Glance's images, image_properties, image_tags, image_members, image_locations).
-- Timestamps are epoch milliseconds (UTC); booleans are 0/1.
CREATE TABLE images (
    id               VARCHAR(36)  NOT NULL PRIMARY KEY,
    name             VARCHAR(255),
    status           VARCHAR(30)  NOT NULL,
    visibility       VARCHAR(20)  NOT NULL,
    protected        BOOLEAN      NOT NULL,
    os_hidden        BOOLEAN      NOT NULL,
    owner            VARCHAR(255),
    disk_format      VARCHAR(20),
    container_format VARCHAR(20),
    min_disk         INTEGER      NOT NULL,
    min_ram          INTEGER      NOT NULL,
    size             BIGINT,
    virtual_size     BIGINT,
    checksum         VARCHAR(32),
    os_hash_algo     VARCHAR(64),
    os_hash_value    VARCHAR(128),
    created_at       BIGINT       NOT NULL,
    updated_at       BIGINT       NOT NULL,
    deleted          BOOLEAN      NOT NULL,
    deleted_at       BIGINT
);
CREATE INDEX ix_images_created ON images (deleted, created_at, id);
CREATE INDEX ix_images_owner ON images (owner);
CREATE INDEX ix_images_visibility ON images (visibility);
CREATE INDEX ix_images_name ON images (name);
CREATE INDEX ix_images_status ON images (status);

CREATE TABLE image_properties (
    image_id VARCHAR(36)  NOT NULL,
    name     VARCHAR(255) NOT NULL,
    value    TEXT         NOT NULL,
    PRIMARY KEY (image_id, name)
);
CREATE INDEX ix_image_properties_name ON image_properties (name);

CREATE TABLE image_tags (
    image_id VARCHAR(36)  NOT NULL,
    value    VARCHAR(255) NOT NULL,
    PRIMARY KEY (image_id, value)
);
CREATE INDEX ix_image_tags_value ON image_tags (value);

CREATE TABLE image_members (
    image_id   VARCHAR(36)  NOT NULL,
    member     VARCHAR(255) NOT NULL,
    status     VARCHAR(20)  NOT NULL,
    created_at BIGINT       NOT NULL,
    updated_at BIGINT       NOT NULL,
    PRIMARY KEY (image_id, member)
);
CREATE INDEX ix_image_members_member ON image_members (member);

CREATE TABLE image_locations (
    image_id   VARCHAR(36)   NOT NULL,
    store      VARCHAR(255)  NOT NULL,
    location   VARCHAR(2048) NOT NULL,
    status     VARCHAR(30)   NOT NULL,
    created_at BIGINT        NOT NULL,
    PRIMARY KEY (image_id, store)
);

-- Data that no active image owns yet (an upload under way) or any more (a deleted image): the journal that
-- lets cleanup find orphans after a crash. A row is added before the first byte is written, or in the
-- transaction that deletes the image; it is removed when the image turns active with that data, or once the
-- data is gone. At start a node deletes the data of its own rows, and puts their images back to queued.
CREATE TABLE pending_data (
    id         VARCHAR(36)   NOT NULL PRIMARY KEY,
    store      VARCHAR(255)  NOT NULL,
    location   VARCHAR(2048) NOT NULL,
    image_id   VARCHAR(36)   NOT NULL,
    node       VARCHAR(255)  NOT NULL,
    created_at BIGINT        NOT NULL
);
CREATE INDEX ix_pending_data_node ON pending_data (node);
