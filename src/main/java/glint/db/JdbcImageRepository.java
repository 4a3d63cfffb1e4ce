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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
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
        try (PreparedStatement s = c.prepareStatement("INSERT INTO image_ids (id, created_at) VALUES (?, ?)")) {
            for (Image image : images) {
                s.setString(1, image.id());
                s.setLong(2, image.createdAt().toEpochMilli());
                s.addBatch();
            }
            s.executeBatch();
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO images (id, name, status, visibility, protected, "
                + "os_hidden, owner, disk_format, container_format, min_disk, min_ram, size, virtual_size, checksum, "
                + "os_hash_algo, os_hash_value, created_at, updated_at, deleted) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Image image : images) {
                s.setString(1, image.id());
                bindMutable(s, 2, image);
                s.setLong(17, image.createdAt().toEpochMilli());
                s.setLong(18, image.updatedAt().toEpochMilli());
                s.setBoolean(19, false);
                if (images.size() == 1) {
                    s.executeUpdate();
                } else {
                    s.addBatch();
                }
            }
            if (images.size() > 1) {
                s.executeBatch();
            }
        }
        writeChildren(c, images);
    }

    @Override
    public Optional<Image> find(String id) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM images i WHERE i.id = ? AND i.deleted = ?")) {
                s.setString(1, id);
                s.setBoolean(2, false);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return Optional.empty();
                    }
                    Map<String, Image.Builder> one = new LinkedHashMap<>();
                    one.put(id, row(r).toBuilder());
                    return Optional.of(withChildren(c, one).get(0));
                }
            }
        });
    }

    @Override
    public boolean update(Image image, ImageStatus expected) {
        return db.write(c -> updateIn(c, image, expected));
    }

    private static boolean updateIn(Connection c, Image image, ImageStatus expected) throws SQLException {
        return updateWhere(c, image, "version = ? AND status = ?", s -> {
            s.setLong(18, image.version());
            s.setString(19, expected.wire());
        });
    }

    @Override
    public boolean updateMetadata(Image image) {
        return updateMetadata(image, List.of());
    }

    @Override
    public boolean updateMetadata(Image image, List<PendingData> released) {
        return db.write(c -> {
            if (!updateWhere(c, image, "version = ? AND 1 = ?", s -> {
                s.setLong(18, image.version());
                s.setInt(19, 1);
            })) {
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

    private interface Binder {
        void bind(PreparedStatement s) throws SQLException;
    }

    /**
     * Replaces the row, its tags, properties and locations if {@code condition} (parameters 18 and 19) holds; adds 1
     * to the version.
     */
    private static boolean updateWhere(Connection c, Image image, String condition, Binder conditionValue) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE images SET name = ?, status = ?, visibility = ?, protected = ?, "
                + "os_hidden = ?, owner = ?, disk_format = ?, container_format = ?, min_disk = ?, min_ram = ?, size = ?, "
                + "virtual_size = ?, checksum = ?, os_hash_algo = ?, os_hash_value = ?, updated_at = ?, version = version + 1 "
                + "WHERE id = ? AND " + condition + " AND deleted = ?")) {
            bindMutable(s, 1, image);
            s.setLong(16, image.updatedAt().toEpochMilli());
            s.setString(17, image.id());
            conditionValue.bind(s);
            s.setBoolean(20, false);
            if (s.executeUpdate() != 1) {
                return false;
            }
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
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE images SET deleted = ?, status = ?, deleted_at = ?, updated_at = ?, version = version + 1 WHERE id = ?")) {
                long now = System.currentTimeMillis();
                s.setBoolean(1, true);
                s.setString(2, ImageStatus.DELETED.wire());
                s.setLong(3, now);
                s.setLong(4, now);
                s.setString(5, id);
                s.executeUpdate();
            }
            deleteChildren(c, id, true);
            return orphans;
        });
    }

    @Override
    public boolean markPendingDelete(String id) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE images SET deleted = ?, status = ?, deleted_at = ?, "
                    + "updated_at = ?, version = version + 1 WHERE id = ? AND deleted = ?")) {
                long now = System.currentTimeMillis();
                s.setBoolean(1, true);
                s.setString(2, ImageStatus.PENDING_DELETE.wire());
                s.setLong(3, now);
                s.setLong(4, now);
                s.setString(5, id);
                s.setBoolean(6, false);
                if (s.executeUpdate() != 1) {
                    return false;
                }
            }
            setLocationStatus(c, id, ImageStatus.PENDING_DELETE.wire());
            return true;
        });
    }

    private static void setLocationStatus(Connection c, String id, String status) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE image_locations SET status = ? WHERE image_id = ?")) {
            s.setString(1, status);
            s.setString(2, id);
            s.executeUpdate();
        }
    }

    @Override
    public List<String> pendingDeletes(Instant deletedBefore, int limit) {
        return db.read(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id FROM images WHERE status = ? AND deleted_at <= ? "
                    + "ORDER BY deleted_at, id")) {
                s.setString(1, ImageStatus.PENDING_DELETE.wire());
                s.setLong(2, deletedBefore.toEpochMilli());
                s.setMaxRows(limit);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        ids.add(r.getString(1));
                    }
                }
            }
            return ids;
        });
    }

    @Override
    public Optional<List<PendingData>> claimPendingDelete(String id, String node) {
        return db.write(c -> {
            // the compare-and-set on the status is the claim: of several nodes scrubbing, one gets each image
            try (PreparedStatement s = c.prepareStatement("UPDATE images SET status = ?, version = version + 1 "
                    + "WHERE id = ? AND status = ?")) {
                s.setString(1, ImageStatus.DELETED.wire());
                s.setString(2, id);
                s.setString(3, ImageStatus.PENDING_DELETE.wire());
                if (s.executeUpdate() != 1) {
                    return Optional.<List<PendingData>>empty();
                }
            }
            List<PendingData> orphans = journalOwned(c, id, node);
            deleteChildren(c, id, true);
            return Optional.of(orphans);
        });
    }

    @Override
    public boolean restorePendingDelete(String id) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE images SET deleted = ?, status = ?, deleted_at = NULL, "
                    + "updated_at = ?, version = version + 1 WHERE id = ? AND status = ?")) {
                s.setBoolean(1, false);
                s.setString(2, ImageStatus.ACTIVE.wire());
                s.setLong(3, System.currentTimeMillis());
                s.setString(4, id);
                s.setString(5, ImageStatus.PENDING_DELETE.wire());
                if (s.executeUpdate() != 1) {
                    return false;
                }
            }
            setLocationStatus(c, id, "active");
            return true;
        });
    }

    /** Each owned location of the image becomes a journal entry of {@code node}, in the caller's transaction. */
    private static List<PendingData> journalOwned(Connection c, String id, String node) throws SQLException {
        List<PendingData> orphans = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT store, location FROM image_locations WHERE image_id = ? AND owned = ?")) {
            s.setString(1, id);
            s.setBoolean(2, true);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    orphans.add(new PendingData(java.util.UUID.randomUUID().toString(), r.getString(1), r.getString(2), id, node));
                }
            }
        }
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
            try (PreparedStatement s = c.prepareStatement(sql.sql())) {
                sql.bind(s);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        Image image = row(r);
                        page.put(image.id(), image.toBuilder());
                    }
                }
            }
            return withChildren(c, page);
        });
    }

    @Override
    public Optional<MemberStatus> memberStatus(String imageId, String project) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT status FROM image_members WHERE image_id = ? AND member = ?")) {
                s.setString(1, imageId);
                s.setString(2, project);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? MemberStatus.parse(r.getString(1)) : Optional.<MemberStatus>empty();
                }
            }
        });
    }

    /** Binds name … os_hash_value (15 columns) starting at {@code i}. */
    private static void bindMutable(PreparedStatement s, int i, Image image) throws SQLException {
        setString(s, i, image.name());
        s.setString(i + 1, image.status().wire());
        s.setString(i + 2, image.visibility().wire());
        s.setBoolean(i + 3, image.isProtected());
        s.setBoolean(i + 4, image.osHidden());
        setString(s, i + 5, image.owner());
        setString(s, i + 6, image.diskFormat());
        setString(s, i + 7, image.containerFormat());
        s.setInt(i + 8, image.minDisk());
        s.setInt(i + 9, image.minRam());
        setLong(s, i + 10, image.size());
        setLong(s, i + 11, image.virtualSize());
        setString(s, i + 12, image.checksum());
        setString(s, i + 13, image.osHashAlgo());
        setString(s, i + 14, image.osHashValue());
    }

    private static void writeChildren(Connection c, Image image) throws SQLException {
        writeChildren(c, List.of(image));
    }

    private static void writeChildren(Connection c, List<Image> images) throws SQLException {
        if (images.stream().anyMatch(i -> !i.properties().isEmpty())) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO image_properties (image_id, name, value) VALUES (?, ?, ?)")) {
                for (Image image : images) {
                    for (Map.Entry<String, String> p : image.properties().entrySet()) {
                        s.setString(1, image.id());
                        s.setString(2, p.getKey());
                        s.setString(3, p.getValue());
                        s.addBatch();
                    }
                }
                s.executeBatch();
            }
        }
        if (images.stream().anyMatch(i -> !i.tags().isEmpty())) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO image_tags (image_id, value) VALUES (?, ?)")) {
                for (Image image : images) {
                    for (String tag : image.tags()) {
                        s.setString(1, image.id());
                        s.setString(2, tag);
                        s.addBatch();
                    }
                }
                s.executeBatch();
            }
        }
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
            try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE image_id = ?")) {
                s.setString(1, id);
                s.executeUpdate();
            }
        }
    }

    /** Loads tags, properties and locations of a page of images in three queries. */
    private List<Image> withChildren(Connection c, Map<String, Image.Builder> page) throws SQLException {
        if (page.isEmpty()) {
            return List.of();
        }
        String in = String.join(",", java.util.Collections.nCopies(page.size(), "?"));
        Map<String, Map<String, String>> props = new HashMap<>();
        Map<String, Set<String>> tags = new HashMap<>();
        Map<String, List<ImageLocation>> locations = new HashMap<>();
        query(c, "SELECT image_id, name, value FROM image_properties WHERE image_id IN (" + in + ")", page.keySet(),
                r -> props.computeIfAbsent(r.getString(1), k -> new HashMap<>()).put(r.getString(2), r.getString(3)));
        query(c, "SELECT image_id, value FROM image_tags WHERE image_id IN (" + in + ")", page.keySet(),
                r -> tags.computeIfAbsent(r.getString(1), k -> new HashSet<>()).add(r.getString(2)));
        query(c, LocationRows.SELECT + " WHERE image_id IN (" + in + ") ORDER BY image_id, position", page.keySet(),
                r -> locations.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(LocationRows.read(r)));
        List<Image> images = new ArrayList<>(page.size());
        page.forEach((id, b) -> images.add(b.properties(props.getOrDefault(id, Map.of()))
                .tags(tags.getOrDefault(id, Set.of()))
                .locations(order.sort(locations.getOrDefault(id, List.of())))
                .build()));
        return images;
    }

    private interface RowConsumer {
        void accept(ResultSet r) throws SQLException;
    }

    private static void query(Connection c, String sql, Iterable<String> ids, RowConsumer consumer) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            int i = 1;
            for (String id : ids) {
                s.setString(i++, id);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    consumer.accept(r);
                }
            }
        }
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
                optionalLong(r, 12),
                optionalLong(r, 13),
                Optional.ofNullable(r.getString(14)),
                Optional.ofNullable(r.getString(15)),
                Optional.ofNullable(r.getString(16)),
                Instant.ofEpochMilli(r.getLong(17)),
                Instant.ofEpochMilli(r.getLong(18)),
                Set.of(), Map.of(), List.of(), r.getLong(19));
    }

    private static Optional<Long> optionalLong(ResultSet r, int column) throws SQLException {
        long value = r.getLong(column);
        return r.wasNull() ? Optional.empty() : Optional.of(value);
    }

    private static void setString(PreparedStatement s, int i, Optional<String> value) throws SQLException {
        if (value.isPresent()) {
            s.setString(i, value.get());
        } else {
            s.setNull(i, Types.VARCHAR);
        }
    }

    private static void setLong(PreparedStatement s, int i, Optional<Long> value) throws SQLException {
        if (value.isPresent()) {
            s.setLong(i, value.get());
        } else {
            s.setNull(i, Types.BIGINT);
        }
    }
}
