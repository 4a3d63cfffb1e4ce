-- A list page whose cost does not grow with the catalogue (issue 13). Glint orders nullable sort keys with NULL
-- equal to '' (or -1 for size) on every database; these generated columns hold exactly that value, so the order
-- is an index walk on a plain column instead of a sort of COALESCE(...) over the whole table. The database
-- computes them on every write: no code path can leave them stale.
ALTER TABLE images ADD COLUMN sort_name VARCHAR(255) GENERATED ALWAYS AS (COALESCE(name, '')) STORED;
ALTER TABLE images ADD COLUMN sort_container_format VARCHAR(20) GENERATED ALWAYS AS (COALESCE(container_format, '')) STORED;
ALTER TABLE images ADD COLUMN sort_disk_format VARCHAR(20) GENERATED ALWAYS AS (COALESCE(disk_format, '')) STORED;
ALTER TABLE images ADD COLUMN sort_size BIGINT GENERATED ALWAYS AS (COALESCE(size, -1)) STORED;

-- One index per sort key, led by the equalities every list has (deleted = false, os_hidden = ?), then the key
-- and Glance's tie-breakers (created_at, id): a page is a range of one index, read in order, LIMIT rows long.
CREATE INDEX ix_images_list_created ON images (deleted, os_hidden, created_at, id);
CREATE INDEX ix_images_list_updated ON images (deleted, os_hidden, updated_at, created_at, id);
CREATE INDEX ix_images_list_id ON images (deleted, os_hidden, id);
CREATE INDEX ix_images_list_name ON images (deleted, os_hidden, sort_name, created_at, id);
CREATE INDEX ix_images_list_status ON images (deleted, os_hidden, status, created_at, id);
CREATE INDEX ix_images_list_container ON images (deleted, os_hidden, sort_container_format, created_at, id);
CREATE INDEX ix_images_list_disk ON images (deleted, os_hidden, sort_disk_format, created_at, id);
CREATE INDEX ix_images_list_size ON images (deleted, os_hidden, sort_size, created_at, id);
DROP INDEX ix_images_created;

-- "My images" and "public images" (Horizon's tabs): the filter's equality, then the default order.
DROP INDEX ix_images_owner;
CREATE INDEX ix_images_owner ON images (owner, deleted, os_hidden, created_at, id);
DROP INDEX ix_images_visibility;
CREATE INDEX ix_images_visibility ON images (visibility, deleted, os_hidden, created_at, id);

-- Tag and property filters start from the (value, image) side when that is the narrower way in.
DROP INDEX ix_image_tags_value;
CREATE INDEX ix_image_tags_value ON image_tags (value, image_id);
DROP INDEX ix_image_properties_name;
CREATE INDEX ix_image_properties_name ON image_properties (name);
-- values are TEXT of any length (a B-tree entry must fit in a third of a page): a hash index finds equal values
CREATE INDEX ix_image_properties_value ON image_properties USING hash (value);
-- Shared images: a project's memberships by status.
DROP INDEX ix_image_members_member;
CREATE INDEX ix_image_members_member ON image_members (member, status, image_id);
