package glint.task;

import glint.auth.RequestContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a task as Glance's domain has it (glance/domain/__init__.py: {@code TaskFactory.new_task},
 * {@code Task.begin_processing}, {@code succeed}, {@code fail}): pending → processing → success | failure, a
 * finished task expiring {@code task_time_to_live} later. A task belongs to the node that runs it, so that a
 * restarted node finds the ones it left in flight.
 */
public final class TaskLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(TaskLifecycle.class);

    private final TaskRepository tasks;
    private final Duration timeToLive;
    private final String node;
    private final Clock clock;
    private final TaskEvents events;

    /** @param events told of each task created, begun and finished, once stored */
    public TaskLifecycle(TaskRepository tasks, Duration timeToLive, String node, Clock clock, TaskEvents events) {
        this.tasks = tasks;
        this.timeToLive = timeToLive;
        this.node = node;
        this.clock = clock;
        this.events = events;
    }

    public TaskEvents events() {
        return events;
    }

    /** A new pending task of this node, saved. */
    public Task create(String type, RequestContext ctx, String imageId, Map<String, Object> input) {
        Instant now = now();
        Task task = new Task(UUID.randomUUID().toString(), type, TaskStatus.PENDING, Optional.ofNullable(ctx.projectId()),
                Optional.of(imageId), Optional.ofNullable(ctx.userId()), Optional.ofNullable(ctx.requestId()), input,
                Optional.empty(), "", node, Optional.empty(), now, now);
        tasks.insert(task);
        events.created(task);
        return task;
    }

    public Optional<Task> find(String id) {
        return tasks.find(id);
    }

    /** pending → processing; empty when the task is no longer pending (failed meanwhile). */
    public Optional<Task> begin(Task task) {
        Task processing = task.withStatus(TaskStatus.PROCESSING, "", Optional.empty(), Optional.empty(), now());
        if (!tasks.update(processing, TaskStatus.PENDING)) {
            return Optional.empty();
        }
        events.processing(processing);
        return Optional.of(processing);
    }

    /** Success (its result names the image) or failure with {@code message}; expires {@code task_time_to_live} on. */
    public void finish(Task task, TaskStatus status, String message) {
        Instant now = now();
        Optional<Map<String, Object>> result = status == TaskStatus.SUCCESS
                ? Optional.of(Map.of("image_id", task.imageId().orElse(""))) : Optional.empty();
        Task done = task.withStatus(status, message, result, Optional.of(now.plus(timeToLive)), now);
        if (!tasks.update(done, task.status())) {
            LOG.debug("task {} changed status meanwhile", task.id());
            return;
        }
        events.finished(done);
    }

    /** This node's tasks still pending or processing. */
    public List<Task> unfinished() {
        return unfinished(node);
    }

    /** The tasks of {@code node} still pending or processing: this node's, or those of a node that died. */
    public List<Task> unfinished(String node) {
        List<Task> found = new ArrayList<>(tasks.ofNode(node, TaskStatus.PENDING));
        found.addAll(tasks.ofNode(node, TaskStatus.PROCESSING));
        return found;
    }

    /** This node's name. */
    public String node() {
        return node;
    }

    /** Why a task of {@code node} failed in recovery: this node restarted, or the node running it stopped. */
    public String stoppedMessage(String node) {
        return node.equals(this.node) ? "Glint restarted while the task was running"
                : "The Glint node running the task (" + node + ") stopped";
    }

    /** How long the task has not changed. */
    public Duration idle(Task task) {
        return Duration.between(task.updatedAt(), clock.instant());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
