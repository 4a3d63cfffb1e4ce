-- The built-in identity (a Keystone v3 subset). Timestamps are epoch milliseconds.
CREATE TABLE identity_domains (
    id      VARCHAR(64)  NOT NULL PRIMARY KEY,
    name    VARCHAR(255) NOT NULL,
    enabled BOOLEAN      NOT NULL
);
CREATE UNIQUE INDEX ux_identity_domains_name ON identity_domains (name);

CREATE TABLE identity_projects (
    id          VARCHAR(64)  NOT NULL PRIMARY KEY,
    name        VARCHAR(255) NOT NULL,
    domain_id   VARCHAR(64)  NOT NULL,
    description VARCHAR(1024),
    enabled     BOOLEAN      NOT NULL
);
CREATE UNIQUE INDEX ux_identity_projects_name ON identity_projects (domain_id, name);

CREATE TABLE identity_users (
    id                 VARCHAR(64)  NOT NULL PRIMARY KEY,
    name               VARCHAR(255) NOT NULL,
    domain_id          VARCHAR(64)  NOT NULL,
    password_hash      VARCHAR(512),
    enabled            BOOLEAN      NOT NULL,
    default_project_id VARCHAR(64),
    created_at         BIGINT       NOT NULL
);
CREATE UNIQUE INDEX ux_identity_users_name ON identity_users (domain_id, name);

CREATE TABLE identity_roles (
    id   VARCHAR(64)  NOT NULL PRIMARY KEY,
    name VARCHAR(255) NOT NULL
);
CREATE UNIQUE INDEX ux_identity_roles_name ON identity_roles (name);

-- Admin implies member implies reader (Keystone's bootstrap defaults).
CREATE TABLE identity_implied_roles (
    prior_role_id   VARCHAR(64) NOT NULL,
    implied_role_id VARCHAR(64) NOT NULL,
    PRIMARY KEY (prior_role_id, implied_role_id)
);

-- target_type: 'project', 'domain' or 'system' (target_id 'all' for the system).
CREATE TABLE identity_assignments (
    user_id     VARCHAR(64) NOT NULL,
    target_type VARCHAR(16) NOT NULL,
    target_id   VARCHAR(64) NOT NULL,
    role_id     VARCHAR(64) NOT NULL,
    PRIMARY KEY (user_id, target_type, target_id, role_id)
);
CREATE INDEX ix_identity_assignments_target ON identity_assignments (target_type, target_id);

-- Revoked tokens by audit id, kept until the token would have expired anyway.
CREATE TABLE identity_revocations (
    audit_id   VARCHAR(64) NOT NULL PRIMARY KEY,
    expires_at BIGINT      NOT NULL
);

-- Small shared settings, e.g. the token signing key, identical on every node of a deployment.
CREATE TABLE identity_settings (
    name  VARCHAR(64)   NOT NULL PRIMARY KEY,
    value VARCHAR(1024) NOT NULL
);
