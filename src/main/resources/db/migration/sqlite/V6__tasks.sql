-- Tasks (Glance's tasks + task_info): one row per interoperable image import (type api_image_import).
-- input and result are JSON text; timestamps are epoch milliseconds (UTC). node is the Glint node that runs the
-- task: at start a node fails its own tasks left pending or processing and reverts their images (see ImportService).
CREATE TABLE tasks (
    id         VARCHAR(36)  NOT NULL PRIMARY KEY,
    type       VARCHAR(30)  NOT NULL,
    status     VARCHAR(30)  NOT NULL,
    owner      VARCHAR(255),
    image_id   VARCHAR(36),
    user_id    VARCHAR(255),
    request_id VARCHAR(255),
    input      TEXT,
    result     TEXT,
    message    TEXT,
    node       VARCHAR(255) NOT NULL,
    expires_at BIGINT,
    created_at BIGINT       NOT NULL,
    updated_at BIGINT       NOT NULL
);
CREATE INDEX ix_tasks_image ON tasks (image_id);
CREATE INDEX ix_tasks_node_status ON tasks (node, status);
