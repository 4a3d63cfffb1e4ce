package glint.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.task.Task;
import glint.task.TaskRepository;
import glint.task.TaskStatus;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code tasks} table; input and result are stored as JSON text. */
public final class JdbcTaskRepository implements TaskRepository {
    private static final String COLUMNS = "id, type, status, owner, image_id, user_id, request_id, input, result, message, "
            + "node, expires_at, created_at, updated_at";
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final Database db;
    private final ObjectMapper json;

    public JdbcTaskRepository(Database db, ObjectMapper json) {
        this.db = db;
        this.json = json;
    }

    @Override
    public void insert(Task t) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO tasks (" + COLUMNS + ") "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, t.id());
                s.setString(2, t.type());
                s.setString(3, t.status().wire());
                s.setString(4, t.owner().orElse(null));
                s.setString(5, t.imageId().orElse(null));
                s.setString(6, t.userId().orElse(null));
                s.setString(7, t.requestId().orElse(null));
                s.setString(8, write(t.input()));
                s.setString(9, t.result().map(this::write).orElse(null));
                s.setString(10, t.message());
                s.setString(11, t.node());
                setInstant(s, 12, t.expiresAt());
                s.setLong(13, t.createdAt().toEpochMilli());
                s.setLong(14, t.updatedAt().toEpochMilli());
                s.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<Task> find(String id) {
        List<Task> found = query("SELECT " + COLUMNS + " FROM tasks WHERE id = ?", id);
        return found.stream().findFirst();
    }

    @Override
    public boolean update(Task t, TaskStatus expected) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE tasks SET status = ?, message = ?, result = ?, "
                    + "expires_at = ?, updated_at = ? WHERE id = ? AND status = ?")) {
                s.setString(1, t.status().wire());
                s.setString(2, t.message());
                s.setString(3, t.result().map(this::write).orElse(null));
                setInstant(s, 4, t.expiresAt());
                s.setLong(5, t.updatedAt().toEpochMilli());
                s.setString(6, t.id());
                s.setString(7, expected.wire());
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<Task> ofImage(String imageId, Instant now) {
        return query("SELECT " + COLUMNS + " FROM tasks WHERE image_id = ? AND (expires_at IS NULL OR expires_at >= ?) "
                + "ORDER BY created_at, id", imageId, now.toEpochMilli());
    }

    @Override
    public List<Task> ofNode(String node, TaskStatus status) {
        return query("SELECT " + COLUMNS + " FROM tasks WHERE node = ? AND status = ? ORDER BY created_at, id", node, status.wire());
    }

    private List<Task> query(String sql, Object... params) {
        return db.read(c -> {
            List<Task> tasks = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    s.setObject(i + 1, params[i]);
                }
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        tasks.add(row(r));
                    }
                }
            }
            return tasks;
        });
    }

    private Task row(ResultSet r) throws SQLException {
        long expires = r.getLong(12);
        Optional<Instant> expiresAt = r.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expires));
        String result = r.getString(9);
        String message = r.getString(10);
        return new Task(r.getString(1), r.getString(2), TaskStatus.fromWire(r.getString(3)),
                Optional.ofNullable(r.getString(4)), Optional.ofNullable(r.getString(5)), Optional.ofNullable(r.getString(6)),
                Optional.ofNullable(r.getString(7)), read(r.getString(8)), Optional.ofNullable(result).map(this::read),
                message == null ? "" : message, r.getString(11), expiresAt,
                Instant.ofEpochMilli(r.getLong(13)), Instant.ofEpochMilli(r.getLong(14)));
    }

    private static void setInstant(PreparedStatement s, int i, Optional<Instant> t) throws SQLException {
        if (t.isPresent()) {
            s.setLong(i, t.get().toEpochMilli());
        } else {
            s.setNull(i, Types.BIGINT);
        }
    }

    private String write(Map<String, Object> value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("task JSON not serialisable", e);
        }
    }

    private Map<String, Object> read(String text) {
        if (text == null) {
            return Map.of();
        }
        try {
            return json.readValue(text, MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("task JSON unreadable", e);
        }
    }
}
