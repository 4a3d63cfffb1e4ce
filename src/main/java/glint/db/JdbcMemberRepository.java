package glint.db;

import glint.image.ImageMember;
import glint.image.MemberRepository;
import glint.image.MemberStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The {@code image_members} table. */
public final class JdbcMemberRepository implements MemberRepository {
    private static final String SELECT = "SELECT image_id, member, status, created_at, updated_at FROM image_members";
    private static final RowSql.Row<ImageMember> ROW = r -> new ImageMember(r.getString(1), r.getString(2),
            MemberStatus.parse(r.getString(3)).orElseThrow(), Instant.ofEpochMilli(r.getLong(4)),
            Instant.ofEpochMilli(r.getLong(5)));

    private final RowSql sql;

    public JdbcMemberRepository(Database db) {
        this.sql = new RowSql(db);
    }

    @Override
    public List<ImageMember> list(String imageId) {
        return sql.query(SELECT + " WHERE image_id = ? ORDER BY created_at, member", ROW, imageId);
    }

    @Override
    public Optional<ImageMember> find(String imageId, String memberId) {
        return sql.one(SELECT + " WHERE image_id = ? AND member = ?", ROW, imageId, memberId);
    }

    @Override
    public boolean add(ImageMember m) {
        return sql.unlessDuplicate("INSERT INTO image_members (image_id, member, status, created_at, updated_at) "
                + "VALUES (?, ?, ?, ?, ?)", m.imageId(), m.memberId(), m.status().wire(), m.createdAt().toEpochMilli(),
                m.updatedAt().toEpochMilli());
    }

    @Override
    public void updateStatus(String imageId, String memberId, MemberStatus status, Instant at) {
        sql.execute("UPDATE image_members SET status = ?, updated_at = ? WHERE image_id = ? AND member = ?", status.wire(),
                at.toEpochMilli(), imageId, memberId);
    }

    @Override
    public void remove(String imageId, String memberId) {
        sql.execute("DELETE FROM image_members WHERE image_id = ? AND member = ?", imageId, memberId);
    }
}
