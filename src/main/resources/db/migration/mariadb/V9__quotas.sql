-- Quotas. The built-in identity's unified limits (Keystone's registered_limit and limit tables): a registered limit
-- is a service's default for a resource (in a region or none), a limit overrides it for one project.
CREATE TABLE identity_registered_limits (
    id            VARCHAR(64)   NOT NULL PRIMARY KEY,
    service_id    VARCHAR(64)   NOT NULL,
    region_id     VARCHAR(255),
    resource_name VARCHAR(255)  NOT NULL,
    default_limit BIGINT        NOT NULL,
    description   VARCHAR(1024)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE identity_limits (
    id                  VARCHAR(64)   NOT NULL PRIMARY KEY,
    registered_limit_id VARCHAR(64)   NOT NULL,
    project_id          VARCHAR(64)   NOT NULL,
    resource_limit      BIGINT        NOT NULL,
    description         VARCHAR(1024),
    UNIQUE (registered_limit_id, project_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per project that quotas were checked for: a quota check takes this row's lock (UPDATE serial) before it
-- counts, so that two checks of one project never both pass a limit that only one fits (glint.db.QuotaSql).
CREATE TABLE quota_projects (
    project_id VARCHAR(255) NOT NULL PRIMARY KEY,
    serial     BIGINT       NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Bytes granted to data being written (an upload, a stage, an import's copy) and counted against the project's
-- image_size_total or image_stage_total until the data is counted by its image. id is the data's journal entry
-- (pending_data.id): a reservation counts only while that entry exists, so a failure, a crash (the entry removed at
-- the next start) or the activation (entry removed in the same transaction) ends it.
CREATE TABLE quota_reservations (
    id         VARCHAR(36)  NOT NULL PRIMARY KEY,
    project_id VARCHAR(255) NOT NULL,
    resource   VARCHAR(64)  NOT NULL,
    bytes      BIGINT       NOT NULL,
    created_at BIGINT       NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX ix_quota_reservations_project ON quota_reservations (project_id, resource);
