package glint.db;

import glint.image.Image;
import glint.image.ImageLocation;
import glint.image.ImageQuery;
import glint.image.ImageRepository;
import glint.image.ImageStatus;
import glint.quota.CountLimit;
import glint.image.LocationOrder;
import glint.image.MemberStatus;
import glint.image.PendingData;
import glint.image.Visibility;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** All image SQL. Lists are keyset-paginated (see {@link ImageListSql}); a page's tags and properties are batch-loaded. */
public final class JdbcImageRepository implements ImageRepository {
    static final String COLUMNS = "i.id, i.name, i.status, i.visibility, i.protected, i.os_hidden, i.owner, i.disk_format, "
            + "i.container_format, i.min_disk, i.min_ram, i.size, i.virtual_size, i.checksum, i.os_hash_algo, "
            + "i.os_hash_value, i.created_at, i.updated_at, i.version";

    private final Database db;
    private final LocationOrder order;

    public JdbcImageRepository(Database db) {
        this(db, LocationOrder.AS_STORED);
    }

    /** @param order how an image's locations are ordered when read (by store weight) */
    public JdbcImageRepository(Database db, LocationOrder order) {
        this.db = db;
        this.order = order;
    }

    @Override
    public boolean insert(Image image) {
        return db.writeUnlessDuplicate(c -> insertIn(c, image));
    }

    /**
     * Inserts many images in one transaction with the same statements as {@link #insert}: the bulk path that
     * {@code bench/catalogue.sh} fills a catalogue with (its rows are those the API writes, only batched).
     */
    public void insertAll(List<Image> images) {
        db.write(c -> {
            insertRows(c, images);
            return null;
        });
    }

    @Override
    public Optional<CountLimit.Outcome> insert(Image image, CountLimit limit) {
        QuotaSql.ensureProject(db, limit.project());
        CountLimit.Outcome[] outcome = {null};
        boolean inserted = db.writeUnlessDuplicate(c -> {
            outcome[0] = counted(c, limit);
            return !outcome[0].within() || insertIn(c, image);
        });
        return inserted ? Optional.of(outcome[0]) : Optional.empty();
    }

    @Override
    public Optional<CountLimit.Outcome> update(Image image, ImageStatus expected, CountLimit limit) {
        QuotaSql.ensureProject(db, limit.project());
        return db.write(c -> {
            CountLimit.Outcome outcome = counted(c, limit);
            if (!outcome.within()) {
                return Optional.of(outcome);
            }
            return updateIn(c, image, expected) ? Optional.of(outcome) : Optional.empty();
        });
    }

    /** Under the project's lock: the count before the write, and whether one more is within the limit. */
    private static CountLimit.Outcome counted(Connection c, CountLimit limit) throws SQLException {
        QuotaSql.lock(c, limit.project());
        long before = QuotaSql.usage(c, limit.project(), limit.resource(), "");
        return new CountLimit.Outcome(before + 1 <= limit.limit(), before);
    }

    private static boolean insertIn(Connection c, Image image) throws SQLException {
        insertRows(c, List.of(image));
        return true;
    }

    private static void insertRows(Connection c, List<Image> images) throws SQLException {
        // the ids are taken for good, even once the rows of deleted images are purged (OSSN-0075; V10 migration)
        RowSql.batch(c, "INSERT INTO image_ids (id, created_at) VALUES (?, ?)",
                images.stream().map(i -> new Object[] {i.id(), i.createdAt().toEpochMilli()}).toList());
        String insert = "INSERT INTO images (id, name, status, visibility, protected, "
                + "os_hidden, owner, disk_format, container_format, min_disk, min_ram, size, virtual_size, checksum, "
                + "os_hash_algo, os_hash_value, created_at, updated_at, deleted) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        List<Object[]> rows = images.stream().map(i -> params(List.of(i.id()), mutable(i),
                List.of(i.createdAt().toEpochMilli(), i.updatedAt().toEpochMilli(), false))).toList();
        if (rows.size() == 1) {
            RowSql.execute(c, insert, rows.get(0));
        } else {
            RowSql.batch(c, insert, rows);
        }
        writeChildren(c, images);
    }

    @Override
    public Optional<Image> find(String id) {
        return db.read(c -> {
            Optional<Image> found = RowSql.one(c, "SELECT " + COLUMNS + " FROM images i WHERE i.id = ? AND i.deleted = ?",
                    JdbcImageRepository::row, id, false);
            if (found.isEmpty()) {
                return Optional.<Image>empty();
            }
            Map<String, Image.Builder> one = new LinkedHashMap<>();
            one.put(id, found.get().toBuilder());
            return Optional.of(withChildren(c, one).get(0));
        });
    }

    @Override
    public boolean update(Image image, ImageStatus expected) {
        return db.write(c -> updateIn(c, image, expected));
    }

    private static boolean updateIn(Connection c, Image image, ImageStatus expected) throws SQLException {
        return updateWhere(c, image, "version = ? AND status = ?", image.version(), expected.wire());
    }

    @Override
    public boolean updateMetadata(Image image) {
        return updateMetadata(image, List.of());
    }

    @Override
    public boolean updateMetadata(Image image, List<PendingData> released) {
        return db.write(c -> {
            if (!updateWhere(c, image, "version = ? AND 1 = ?", image.version(), 1)) {
                return false;
            }
            for (PendingData p : released) {
                JdbcDataJournal.add(c, p);
            }
            return true;
        });
    }

    @Override
    public boolean holdsData(String location) {
        return db.read(c -> LocationRows.owned(c, location) || JdbcDataJournal.names(c, location));
    }

    /**
     * Replaces the row, its tags, properties and locations if {@code condition} (parameters 18 and 19) holds; adds 1
     * to the version.
     */
    private static boolean updateWhere(Connection c, Image image, String condition, Object value18, Object value19)
            throws SQLException {
        if (RowSql.execute(c, "UPDATE images SET name = ?, status = ?, visibility = ?, protected = ?, "
                + "os_hidden = ?, owner = ?, disk_format = ?, container_format = ?, min_disk = ?, min_ram = ?, size = ?, "
                + "virtual_size = ?, checksum = ?, os_hash_algo = ?, os_hash_value = ?, updated_at = ?, version = version + 1 "
                + "WHERE id = ? AND " + condition + " AND deleted = ?", params(mutable(image),
                List.of(image.updatedAt().toEpochMilli(), image.id(), value18, value19, false))) != 1) {
            return false;
        }
        deleteChildren(c, image.id(), false);
        writeChildren(c, image);
        return true;
    }

    @Override
    public boolean activate(Image image, ImageStatus expected, String pendingId) {
        try {
            return db.write(c -> {
                if (!updateIn(c, image, expected)) {
                    return false;
                }
                // and its quota reservation: the image counts the data now
                if (!JdbcDataJournal.remove(c, pendingId)) {
                    // the upload's entry is gone: another node recovered it (this node's lease had expired) and
                    // removed its data; the image must not turn active on it (rolled back)
                    throw new JournalEntryGone();
                }
                return true;
            });
        } catch (JournalEntryGone e) {
            return false;
        }
    }

    /** Rolls back an activation whose journal entry another node's recovery removed. */
    private static final class JournalEntryGone extends RuntimeException {
        JournalEntryGone() {
            super(null, null, false, false);
        }
    }

    @Override
    public boolean startWriting(Image image, ImageStatus expected, PendingData pending) {
        return updateAndJournal(image, expected, List.of(pending));
    }

    @Override
    public Optional<CountLimit.Outcome> startWriting(Image image, ImageStatus expected, PendingData pending,
                                                     CountLimit limit) {
        QuotaSql.ensureProject(db, limit.project());
        return db.write(c -> {
            CountLimit.Outcome outcome = counted(c, limit);
            if (!outcome.within()) {
                return Optional.of(outcome);
            }
            if (!updateIn(c, image, expected)) {
                return Optional.empty();
            }
            JdbcDataJournal.add(c, pending);
            return Optional.of(outcome);
        });
    }

    @Override
    public boolean detach(Image image, ImageStatus expected, List<PendingData> released) {
        return updateAndJournal(image, expected, released);
    }

    private boolean updateAndJournal(Image image, ImageStatus expected, List<PendingData> entries) {
        return db.write(c -> {
            if (!updateIn(c, image, expected)) {
                return false;
            }
            for (PendingData p : entries) {
                JdbcDataJournal.add(c, p);
            }
            return true;
        });
    }

    @Override
    public List<PendingData> markDeleted(String id, String node) {
        return db.write(c -> {
            List<PendingData> orphans = journalOwned(c, id, node);
            long now = System.currentTimeMillis();
            RowSql.execute(c, "UPDATE images SET deleted = ?, status = ?, deleted_at = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                    true, ImageStatus.DELETED.wire(), now, now, id);
            deleteChildren(c, id, true);
            return orphans;
        });
    }

    @Override
    public boolean markPendingDelete(String id) {
        return db.write(c -> {
            long now = System.currentTimeMillis();
            if (RowSql.execute(c, "UPDATE images SET deleted = ?, status = ?, deleted_at = ?, "
                    + "updated_at = ?, version = version + 1 WHERE id = ? AND deleted = ?",
                    true, ImageStatus.PENDING_DELETE.wire(), now, now, id, false) != 1) {
                return false;
            }
            setLocationStatus(c, id, ImageStatus.PENDING_DELETE.wire());
            return true;
        });
    }

    private static void setLocationStatus(Connection c, String id, String status) throws SQLException {
        RowSql.execute(c, "UPDATE image_locations SET status = ? WHERE image_id = ?", status, id);
    }

    @Override
    public List<String> pendingDeletes(Instant deletedBefore, int limit) {
        return db.read(c -> RowSql.upTo(c, limit, "SELECT id FROM images WHERE status = ? AND deleted_at <= ? "
                + "ORDER BY deleted_at, id", r -> r.getString(1), ImageStatus.PENDING_DELETE.wire(), deletedBefore.toEpochMilli()));
    }

    @Override
    public Optional<List<PendingData>> claimPendingDelete(String id, String node) {
        return db.write(c -> {
            // the compare-and-set on the status is the claim: of several nodes scrubbing, one gets each image
            if (RowSql.execute(c, "UPDATE images SET status = ?, version = version + 1 "
                    + "WHERE id = ? AND status = ?", ImageStatus.DELETED.wire(), id, ImageStatus.PENDING_DELETE.wire()) != 1) {
                return Optional.<List<PendingData>>empty();
            }
            List<PendingData> orphans = journalOwned(c, id, node);
            deleteChildren(c, id, true);
            return Optional.of(orphans);
        });
    }

    @Override
    public boolean restorePendingDelete(String id) {
        return db.write(c -> {
            if (RowSql.execute(c, "UPDATE images SET deleted = ?, status = ?, deleted_at = NULL, "
                    + "updated_at = ?, version = version + 1 WHERE id = ? AND status = ?", false, ImageStatus.ACTIVE.wire(),
                    System.currentTimeMillis(), id, ImageStatus.PENDING_DELETE.wire()) != 1) {
                return false;
            }
            setLocationStatus(c, id, "active");
            return true;
        });
    }

    /** Each owned location of the image becomes a journal entry of {@code node}, in the caller's transaction. */
    private static List<PendingData> journalOwned(Connection c, String id, String node) throws SQLException {
        List<PendingData> orphans = RowSql.query(c, "SELECT store, location FROM image_locations WHERE image_id = ? AND owned = ?",
                r -> new PendingData(java.util.UUID.randomUUID().toString(), r.getString(1), r.getString(2), id, node), id, true);
        for (PendingData p : orphans) {
            JdbcDataJournal.add(c, p);
        }
        return orphans;
    }

    @Override
    public List<Image> list(ImageQuery query, Viewer viewer, Optional<Image> marker) {
        return db.read(c -> {
            ImageListSql sql = ImageListSql.build(query, viewer, marker, db.dialect());
            Map<String, Image.Builder> page = new LinkedHashMap<>();
            for (Image image : RowSql.query(c, sql.sql(), JdbcImageRepository::row, sql.params().toArray())) {
                page.put(image.id(), image.toBuilder());
            }
            return withChildren(c, page);
        });
    }

    @Override
    public Optional<MemberStatus> memberStatus(String imageId, String project) {
        return db.read(c -> RowSql.one(c, "SELECT status FROM image_members WHERE image_id = ? AND member = ?",
                r -> r.getString(1), imageId, project)).flatMap(MemberStatus::parse);
    }

    /** The values of name … os_hash_value (15 columns). */
    private static List<Object> mutable(Image image) {
        return List.of(RowSql.text(image.name()), image.status().wire(), image.visibility().wire(), image.isProtected(),
                image.osHidden(), RowSql.text(image.owner()), RowSql.text(image.diskFormat()),
                RowSql.text(image.containerFormat()), image.minDisk(), image.minRam(), RowSql.bigint(image.size()),
                RowSql.bigint(image.virtualSize()), RowSql.text(image.checksum()), RowSql.text(image.osHashAlgo()),
                RowSql.text(image.osHashValue()));
    }

    @SafeVarargs
    private static Object[] params(List<Object>... parts) {
        List<Object> all = new ArrayList<>();
        for (List<Object> part : parts) {
            all.addAll(part);
        }
        return all.toArray();
    }

    private static void writeChildren(Connection c, Image image) throws SQLException {
        writeChildren(c, List.of(image));
    }

    private static void writeChildren(Connection c, List<Image> images) throws SQLException {
        List<Object[]> properties = new ArrayList<>();
        List<Object[]> tags = new ArrayList<>();
        for (Image image : images) {
            image.properties().forEach((name, value) -> properties.add(new Object[] {image.id(), name, value}));
            image.tags().forEach(tag -> tags.add(new Object[] {image.id(), tag}));
        }
        RowSql.batch(c, "INSERT INTO image_properties (image_id, name, value) VALUES (?, ?, ?)", properties);
        RowSql.batch(c, "INSERT INTO image_tags (image_id, value) VALUES (?, ?)", tags);
        for (Image image : images) {
            if (!image.locations().isEmpty()) {
                LocationRows.insert(c, image);
            }
        }
    }

    private static void deleteChildren(Connection c, String id, boolean members) throws SQLException {
        List<String> tables = new ArrayList<>(List.of("image_properties", "image_tags", "image_locations"));
        if (members) {
            tables.add("image_members");
        }
        for (String table : tables) {
            RowSql.execute(c, "DELETE FROM " + table + " WHERE image_id = ?", id);
        }
    }

    /** Loads tags, properties and locations of a page of images in three queries. */
    private List<Image> withChildren(Connection c, Map<String, Image.Builder> page) throws SQLException {
        if (page.isEmpty()) {
            return List.of();
        }
        String in = RowSql.placeholders(page.size());
        Object[] ids = page.keySet().toArray();
        Map<String, Map<String, String>> props = new HashMap<>();
        Map<String, Set<String>> tags = new HashMap<>();
        Map<String, List<ImageLocation>> locations = new HashMap<>();
        for (String[] p : RowSql.query(c, "SELECT image_id, name, value FROM image_properties WHERE image_id IN (" + in + ")",
                r -> new String[] {r.getString(1), r.getString(2), r.getString(3)}, ids)) {
            props.computeIfAbsent(p[0], k -> new HashMap<>()).put(p[1], p[2]);
        }
        for (String[] t : RowSql.query(c, "SELECT image_id, value FROM image_tags WHERE image_id IN (" + in + ")",
                r -> new String[] {r.getString(1), r.getString(2)}, ids)) {
            tags.computeIfAbsent(t[0], k -> new HashSet<>()).add(t[1]);
        }
        for (Map.Entry<String, ImageLocation> l : RowSql.query(c, LocationRows.SELECT + " WHERE image_id IN (" + in
                + ") ORDER BY image_id, position", r -> Map.entry(r.getString(1), LocationRows.read(r)), ids)) {
            locations.computeIfAbsent(l.getKey(), k -> new ArrayList<>()).add(l.getValue());
        }
        List<Image> images = new ArrayList<>(page.size());
        page.forEach((id, b) -> images.add(b.properties(props.getOrDefault(id, Map.of()))
                .tags(tags.getOrDefault(id, Set.of()))
                .locations(order.sort(locations.getOrDefault(id, List.of())))
                .build()));
        return images;
    }

    static Image row(ResultSet r) throws SQLException {
        return new Image(
                r.getString(1),
                Optional.ofNullable(r.getString(2)),
                ImageStatus.fromWire(r.getString(3)),
                Visibility.parse(r.getString(4)).orElseThrow(),
                r.getBoolean(5),
                r.getBoolean(6),
                Optional.ofNullable(r.getString(7)),
                Optional.ofNullable(r.getString(8)),
                Optional.ofNullable(r.getString(9)),
                r.getInt(10),
                r.getInt(11),
                RowSql.optionalLong(r, 12),
                RowSql.optionalLong(r, 13),
                Optional.ofNullable(r.getString(14)),
                Optional.ofNullable(r.getString(15)),
                Optional.ofNullable(r.getString(16)),
                Instant.ofEpochMilli(r.getLong(17)),
                Instant.ofEpochMilli(r.getLong(18)),
                Set.of(), Map.of(), List.of(), r.getLong(19));
    }
}
