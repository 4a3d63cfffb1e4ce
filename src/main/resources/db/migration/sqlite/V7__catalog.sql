-- The built-in identity's service catalog (Keystone's region, service and endpoint tables). Seeded at the first
-- start with this server's image and identity services (glint.identity.CatalogBootstrap); url may hold Keystone's
-- substitutions, $(public_endpoint)s and $(project_id)s among them, filled in when a token's catalog is built.
CREATE TABLE identity_regions (
    id               VARCHAR(255) NOT NULL PRIMARY KEY,
    description      VARCHAR(255) NOT NULL,
    parent_region_id VARCHAR(255)
);

CREATE TABLE identity_services (
    id          VARCHAR(64)   NOT NULL PRIMARY KEY,
    type        VARCHAR(255)  NOT NULL,
    name        VARCHAR(255)  NOT NULL,
    description VARCHAR(1024),
    enabled     BOOLEAN       NOT NULL
);

-- interface: public, internal or admin; region_id may be NULL (an endpoint in no region), as in Keystone.
CREATE TABLE identity_endpoints (
    id         VARCHAR(64)   NOT NULL PRIMARY KEY,
    service_id VARCHAR(64)   NOT NULL,
    interface  VARCHAR(8)    NOT NULL,
    region_id  VARCHAR(255),
    url        VARCHAR(1024) NOT NULL,
    enabled    BOOLEAN       NOT NULL
);
CREATE INDEX ix_identity_endpoints_service ON identity_endpoints (service_id);
CREATE INDEX ix_identity_endpoints_region ON identity_endpoints (region_id);
