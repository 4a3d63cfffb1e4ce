package glint.db;

import glint.image.ImageMember;
import glint.image.MemberRepository;
import glint.image.MemberStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code image_members} table. */
public final class JdbcMemberRepository implements MemberRepository {
    private final Database db;

    public JdbcMemberRepository(Database db) {
        this.db = db;
    }

    @Override
    public List<ImageMember> list(String imageId) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT image_id, member, status, created_at, updated_at FROM image_members WHERE image_id = ? ORDER BY created_at, member")) {
                s.setString(1, imageId);
                List<ImageMember> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(row(r));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public Optional<ImageMember> find(String imageId, String memberId) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT image_id, member, status, created_at, updated_at FROM image_members WHERE image_id = ? AND member = ?")) {
                s.setString(1, imageId);
                s.setString(2, memberId);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(row(r)) : Optional.<ImageMember>empty();
                }
            }
        });
    }

    @Override
    public boolean add(ImageMember m) {
        return db.writeUnlessDuplicate(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO image_members (image_id, member, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")) {
                s.setString(1, m.imageId());
                s.setString(2, m.memberId());
                s.setString(3, m.status().wire());
                s.setLong(4, m.createdAt().toEpochMilli());
                s.setLong(5, m.updatedAt().toEpochMilli());
                s.executeUpdate();
                return true;
            }
        });
    }

    @Override
    public void updateStatus(String imageId, String memberId, MemberStatus status, Instant at) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE image_members SET status = ?, updated_at = ? WHERE image_id = ? AND member = ?")) {
                s.setString(1, status.wire());
                s.setLong(2, at.toEpochMilli());
                s.setString(3, imageId);
                s.setString(4, memberId);
                return s.executeUpdate();
            }
        });
    }

    @Override
    public void remove(String imageId, String memberId) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM image_members WHERE image_id = ? AND member = ?")) {
                s.setString(1, imageId);
                s.setString(2, memberId);
                return s.executeUpdate();
            }
        });
    }

    private static ImageMember row(ResultSet r) throws SQLException {
        return new ImageMember(r.getString(1), r.getString(2), MemberStatus.parse(r.getString(3)).orElseThrow(),
                Instant.ofEpochMilli(r.getLong(4)), Instant.ofEpochMilli(r.getLong(5)));
    }
}
