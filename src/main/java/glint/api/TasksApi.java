package glint.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.http.Router;
import glint.task.TaskService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** {@code GET /v2/tasks/{id}} and {@code GET /v2/schemas/task}, {@code /v2/schemas/tasks} (glance/api/v2/tasks.py). */
public final class TasksApi {
    private final TaskService tasks;
    private final TaskView view;
    private final JsonNode taskSchema;
    private final JsonNode tasksSchema;

    public TasksApi(TaskService tasks, TaskView view, ObjectMapper json) {
        this.tasks = tasks;
        this.view = view;
        this.taskSchema = schema(json, "task.json");
        this.tasksSchema = schema(json, "tasks.json");
    }

    public void register(Router router) {
        router.add("GET", "/v2/tasks/{task_id}", ex -> ex.sendJson(200, view.render(tasks.get(ex.context(), ex.pathParam("task_id")))));
        router.add("GET", "/v2/schemas/task", ex -> ex.sendJson(200, taskSchema));
        router.add("GET", "/v2/schemas/tasks", ex -> ex.sendJson(200, tasksSchema));
    }

    private static JsonNode schema(ObjectMapper json, String resource) {
        try (InputStream in = TasksApi.class.getResourceAsStream("/schemas/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource /schemas/" + resource);
            }
            return json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
