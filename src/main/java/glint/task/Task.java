package glint.task;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One asynchronous task (Glance's {@code tasks} + {@code task_info}); Glint runs only {@code api_image_import}.
 * {@code input} and {@code result} are JSON-shaped maps (strings, booleans, numbers, lists, maps). {@code node}
 * is the Glint node that runs it, so that a restarted node can fail the tasks it left in flight.
 */
public record Task(
        String id,
        String type,
        TaskStatus status,
        Optional<String> owner,
        Optional<String> imageId,
        Optional<String> userId,
        Optional<String> requestId,
        Map<String, Object> input,
        Optional<Map<String, Object>> result,
        String message,
        String node,
        Optional<Instant> expiresAt,
        Instant createdAt,
        Instant updatedAt) {

    public static final String IMAGE_IMPORT = "api_image_import";

    public Task withStatus(TaskStatus s, String msg, Optional<Map<String, Object>> res, Optional<Instant> expires, Instant now) {
        return new Task(id, type, s, owner, imageId, userId, requestId, input, res, msg, node, expires, createdAt, now);
    }

    public Task withMessage(String msg, Instant now) {
        return new Task(id, type, status, owner, imageId, userId, requestId, input, result, msg, node, expiresAt, createdAt, now);
    }
}
