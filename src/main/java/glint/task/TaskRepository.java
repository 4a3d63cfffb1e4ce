package glint.task;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Persistence of tasks (implemented in {@code glint.db}). */
public interface TaskRepository {
    void insert(Task task);

    Optional<Task> find(String id);

    /** Saves status, message, result, expiry and updated_at, if the stored status is still {@code expected}. */
    boolean update(Task task, TaskStatus expected);

    /** The tasks of an image that have not expired at {@code now}, oldest first. */
    List<Task> ofImage(String imageId, Instant now);

    /** The tasks of {@code node} in {@code status}. */
    List<Task> ofNode(String node, TaskStatus status);
}
