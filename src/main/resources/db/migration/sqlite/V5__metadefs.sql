-- Metadata definitions (Glance's metadef_namespaces, metadef_objects, metadef_properties, metadef_tags,
-- metadef_resource_types, metadef_namespace_resource_types). Timestamps are epoch milliseconds (UTC).
-- A namespace's contents go with it (ON DELETE CASCADE). Property definitions and object properties are JSON text.
CREATE TABLE metadef_namespaces (
    id           VARCHAR(36)  NOT NULL PRIMARY KEY,
    namespace    VARCHAR(80)  NOT NULL,
    display_name VARCHAR(80),
    description  TEXT,
    visibility   VARCHAR(32)  NOT NULL,
    protected    BOOLEAN      NOT NULL,
    owner        VARCHAR(255) NOT NULL,
    created_at   BIGINT       NOT NULL,
    updated_at   BIGINT       NOT NULL,
    CONSTRAINT uq_metadef_namespaces_namespace UNIQUE (namespace)
);
CREATE INDEX ix_metadef_namespaces_owner ON metadef_namespaces (owner);

CREATE TABLE metadef_objects (
    id           VARCHAR(36)  NOT NULL PRIMARY KEY,
    namespace_id VARCHAR(36)  NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
    name         VARCHAR(80)  NOT NULL,
    description  TEXT,
    required     TEXT,
    json_schema  TEXT,
    created_at   BIGINT       NOT NULL,
    updated_at   BIGINT       NOT NULL,
    CONSTRAINT uq_metadef_objects_namespace_name UNIQUE (namespace_id, name)
);

CREATE TABLE metadef_properties (
    id           VARCHAR(36)  NOT NULL PRIMARY KEY,
    namespace_id VARCHAR(36)  NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
    name         VARCHAR(80)  NOT NULL,
    json_schema  TEXT         NOT NULL,
    created_at   BIGINT       NOT NULL,
    updated_at   BIGINT       NOT NULL,
    CONSTRAINT uq_metadef_properties_namespace_name UNIQUE (namespace_id, name)
);

CREATE TABLE metadef_tags (
    id           VARCHAR(36)  NOT NULL PRIMARY KEY,
    namespace_id VARCHAR(36)  NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
    name         VARCHAR(80)  NOT NULL,
    created_at   BIGINT       NOT NULL,
    updated_at   BIGINT       NOT NULL,
    CONSTRAINT uq_metadef_tags_namespace_name UNIQUE (namespace_id, name)
);

CREATE TABLE metadef_resource_types (
    id         VARCHAR(36) NOT NULL PRIMARY KEY,
    name       VARCHAR(80) NOT NULL,
    protected  BOOLEAN     NOT NULL,
    created_at BIGINT      NOT NULL,
    updated_at BIGINT      NOT NULL,
    CONSTRAINT uq_metadef_resource_types_name UNIQUE (name)
);

CREATE TABLE metadef_namespace_resource_types (
    resource_type_id  VARCHAR(36) NOT NULL REFERENCES metadef_resource_types (id),
    namespace_id      VARCHAR(36) NOT NULL REFERENCES metadef_namespaces (id) ON DELETE CASCADE,
    properties_target VARCHAR(80),
    prefix            VARCHAR(80),
    created_at        BIGINT      NOT NULL,
    updated_at        BIGINT      NOT NULL,
    PRIMARY KEY (resource_type_id, namespace_id)
);
CREATE INDEX ix_metadef_ns_res_types_namespace ON metadef_namespace_resource_types (namespace_id);

-- The resource types Glance's metadefs refer to (/etc/glance/metadefs), known from the start as in a Glance whose
-- metadefs were loaded; they are system types (protected).
INSERT INTO metadef_resource_types (id, name, protected, created_at, updated_at) VALUES
    ('rt-os-glance-image', 'OS::Glance::Image', TRUE, 1420070400000, 1420070400000),
    ('rt-os-cinder-volume', 'OS::Cinder::Volume', TRUE, 1420070400000, 1420070400000),
    ('rt-os-nova-flavor', 'OS::Nova::Flavor', TRUE, 1420070400000, 1420070400000),
    ('rt-os-nova-aggregate', 'OS::Nova::Aggregate', TRUE, 1420070400000, 1420070400000),
    ('rt-os-nova-server', 'OS::Nova::Server', TRUE, 1420070400000, 1420070400000),
    ('rt-os-trove-instance', 'OS::Trove::Instance', TRUE, 1420070400000, 1420070400000);
