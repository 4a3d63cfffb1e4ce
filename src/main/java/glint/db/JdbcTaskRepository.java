package glint.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.task.Task;
import glint.task.TaskRepository;
import glint.task.TaskStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code tasks} table; input and result are stored as JSON text. */
public final class JdbcTaskRepository implements TaskRepository {
    private static final String COLUMNS = "id, type, status, owner, image_id, user_id, request_id, input, result, message, "
            + "node, expires_at, created_at, updated_at";
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final RowSql sql;
    private final ObjectMapper json;

    public JdbcTaskRepository(Database db, ObjectMapper json) {
        this.sql = new RowSql(db);
        this.json = json;
    }

    @Override
    public void insert(Task t) {
        sql.execute("INSERT INTO tasks (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", t.id(), t.type(),
                t.status().wire(), RowSql.text(t.owner()), RowSql.text(t.imageId()), RowSql.text(t.userId()),
                RowSql.text(t.requestId()), write(t.input()), RowSql.text(t.result().map(this::write)), text(t.message()),
                text(t.node()), epochMillis(t.expiresAt()), t.createdAt().toEpochMilli(), t.updatedAt().toEpochMilli());
    }

    @Override
    public Optional<Task> find(String id) {
        return sql.one("SELECT " + COLUMNS + " FROM tasks WHERE id = ?", this::row, id);
    }

    @Override
    public boolean update(Task t, TaskStatus expected) {
        return sql.execute("UPDATE tasks SET status = ?, message = ?, result = ?, "
                + "expires_at = ?, updated_at = ? WHERE id = ? AND status = ?", t.status().wire(), text(t.message()),
                RowSql.text(t.result().map(this::write)), epochMillis(t.expiresAt()), t.updatedAt().toEpochMilli(), t.id(),
                expected.wire()) == 1;
    }

    @Override
    public List<Task> ofImage(String imageId, Instant now) {
        return sql.query("SELECT " + COLUMNS + " FROM tasks WHERE image_id = ? AND (expires_at IS NULL OR expires_at >= ?) "
                + "ORDER BY created_at, id", this::row, imageId, now.toEpochMilli());
    }

    @Override
    public List<Task> ofNode(String node, TaskStatus status) {
        return sql.query("SELECT " + COLUMNS + " FROM tasks WHERE node = ? AND status = ? ORDER BY created_at, id", this::row,
                node, status.wire());
    }

    private Task row(ResultSet r) throws SQLException {
        Optional<Instant> expiresAt = RowSql.optionalLong(r, 12).map(Instant::ofEpochMilli);
        String result = r.getString(9);
        String message = r.getString(10);
        return new Task(r.getString(1), r.getString(2), TaskStatus.fromWire(r.getString(3)),
                Optional.ofNullable(r.getString(4)), Optional.ofNullable(r.getString(5)), Optional.ofNullable(r.getString(6)),
                Optional.ofNullable(r.getString(7)), read(r.getString(8)), Optional.ofNullable(result).map(this::read),
                message == null ? "" : message, r.getString(11), expiresAt,
                Instant.ofEpochMilli(r.getLong(13)), Instant.ofEpochMilli(r.getLong(14)));
    }

    private static Object epochMillis(Optional<Instant> t) {
        return RowSql.bigint(t.map(Instant::toEpochMilli));
    }

    /** A string that may be null, bound as {@code setString} binds null: a VARCHAR NULL. */
    private static Object text(String value) {
        return RowSql.text(Optional.ofNullable(value));
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
