package glint.api;

import glint.task.Task;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tasks on the wire: {@code GET /v2/tasks/{id}} (tasks.py {@code _format_task}) and the rows of {@code GET /v2/images/{id}/tasks}. */
public final class TaskView {
    /** {@code /v2/images/{id}/tasks} dumps database rows: datetimes in Python's isoformat, no zone. */
    private static final DateTimeFormatter ROW_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    /** {@code GET /v2/tasks/{id}}. */
    public Map<String, Object> render(Task t) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", t.id());
        v.put("input", t.input());
        v.put("type", t.type());
        v.put("status", t.status().wire());
        v.put("owner", t.owner().orElse(null));
        v.put("message", t.message());
        v.put("result", t.result().orElse(null));
        v.put("created_at", ImageView.isoTime(t.createdAt()));
        v.put("updated_at", ImageView.isoTime(t.updatedAt()));
        v.put("self", "/v2/tasks/" + t.id());
        v.put("schema", "/v2/schemas/task");
        t.imageId().ifPresent(i -> v.put("image_id", i));
        t.requestId().ifPresent(i -> v.put("request_id", i));
        t.userId().ifPresent(i -> v.put("user_id", i));
        t.expiresAt().ifPresent(e -> v.put("expires_at", ImageView.isoTime(e)));
        return v;
    }

    /** One entry of {@code GET /v2/images/{id}/tasks} (glance/db/sqlalchemy/api.py {@code _task_format}). */
    public Map<String, Object> ofImage(Task t) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", t.id());
        v.put("type", t.type());
        v.put("status", t.status().wire());
        v.put("owner", t.owner().orElse(null));
        v.put("expires_at", t.expiresAt().map(TaskView::rowTime).orElse(null));
        v.put("created_at", rowTime(t.createdAt()));
        v.put("updated_at", rowTime(t.updatedAt()));
        v.put("deleted_at", null);
        v.put("deleted", false);
        v.put("image_id", t.imageId().orElse(null));
        v.put("request_id", t.requestId().orElse(null));
        v.put("user_id", t.userId().orElse(null));
        v.put("input", t.input());
        v.put("result", t.result().orElse(null));
        v.put("message", t.message());
        return v;
    }

    private static String rowTime(Instant t) {
        return ROW_TIME.format(t);
    }
}
