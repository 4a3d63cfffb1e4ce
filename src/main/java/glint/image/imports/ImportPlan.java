package glint.image.imports;

import glint.auth.RequestContext;
import glint.task.Task;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one import task is to do, as {@link ImportService#importImage} checked it: the method, web-download's URI,
 * the target stores in order, {@code all_stores_must_succeed}, whether it is copy-image (the image stays active and
 * keeps its data), and who asked: glance-download calls the remote image service with the requester's token and
 * finds it in the requester's catalog, as Glance does with the request context, and the plugins see the request's
 * roles (inject_image_metadata's {@code ignore_user_roles}). The requester lives only in memory, as the task does:
 * the task's {@code input} keeps Glance's shape, and a task cut short by a restart is failed, never resumed.
 */
public record ImportPlan(Task task, String imageId, String method, Optional<String> uri, List<String> stores,
                         boolean mustSucceed, boolean copy, RequestContext requester) {
    public ImportPlan {
        stores = List.copyOf(stores);
    }

    /** The roles of the request that started the task. */
    public Set<String> roles() {
        return requester.roles();
    }
}
