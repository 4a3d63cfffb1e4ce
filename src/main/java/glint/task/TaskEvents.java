package glint.task;

import glint.notify.Notifier;
import glint.notify.Payloads;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The task notifications, with Glance's event types and payload ({@code format_task_notification}): no input,
 * result or message (they may hold sensitive data), {@code expires_at} "now" while the task has none (Glance's
 * {@code isotime(None)}).
 */
public final class TaskEvents {
    public static final TaskEvents NONE = new TaskEvents(Notifier.NONE, Clock.systemUTC());

    private final Notifier notifier;
    private final Clock clock;

    public TaskEvents(Notifier notifier, Clock clock) {
        this.notifier = notifier;
        this.clock = clock;
    }

    void created(Task task) {
        notifier.info("task.create", payload(task));
    }

    void processing(Task task) {
        notifier.info("task.processing", payload(task));
    }

    void finished(Task task) {
        notifier.info(task.status() == TaskStatus.SUCCESS ? "task.success" : "task.failure", payload(task));
    }

    /**
     * {@code task.run}: the task's run returned, as Glance sends it after its executor returns (after
     * {@code task.success}, with the task as it was created; not when the run ended in an error).
     */
    public void ran(Task created) {
        notifier.info("task.run", payload(created));
    }

    private Map<String, Object> payload(Task t) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", t.id());
        p.put("type", t.type());
        p.put("status", t.status().wire());
        p.put("result", null);
        p.put("owner", t.owner().orElse(null));
        p.put("message", null);
        p.put("expires_at", Payloads.isotime(t.expiresAt().orElseGet(clock::instant)));
        Payloads.stampedLive(p, t.createdAt(), t.updatedAt());
        return p;
    }
}
