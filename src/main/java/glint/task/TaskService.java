package glint.task;

import glint.auth.RequestContext;
import glint.error.GlintException;
import glint.image.Image;
import glint.image.ImageAccess;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Task queries: {@code GET /v2/tasks/{id}} (glance/api/v2/tasks.py {@code TasksController.get}) and
 * {@code GET /v2/images/{id}/tasks} (glance/api/v2/images.py {@code get_task_info}, API 2.12).
 */
public final class TaskService {
    private final ImageAccess access;
    private final TaskRepository tasks;
    private final Clock clock;

    public TaskService(ImageAccess access, TaskRepository tasks, Clock clock) {
        this.access = access;
        this.tasks = tasks;
        this.clock = clock;
    }

    /** {@code GET /v2/images/{id}/tasks}: 404 unless the caller may see the image. */
    public List<Task> ofImage(RequestContext ctx, String imageId) {
        Image image = access.visible(ctx, imageId);
        // glance/db/sqlalchemy/api.py _is_task_visible: admins see all, others the tasks of their project
        return tasks.ofImage(image.id(), clock.instant()).stream()
                .filter(t -> ctx.isAdmin() || t.owner().isEmpty() || t.owner().get().equals(ctx.projectId())).toList();
    }

    /** {@code GET /v2/tasks/{id}}: {@code tasks_api_access} (admin by default); 404 for an unknown or expired id. */
    public Task get(RequestContext ctx, String id) {
        if (!access.allows("tasks_api_access", ctx, Map.of("project_id", ctx.projectId() == null ? "" : ctx.projectId()))) {
            throw GlintException.forbidden("You are not authorized to complete tasks_api_access action.");
        }
        return tasks.find(id).filter(t -> t.expiresAt().map(e -> !e.isBefore(clock.instant())).orElse(true))
                .orElseThrow(() -> GlintException.notFound("Task with the given ID " + id + " was not found"));
    }
}
