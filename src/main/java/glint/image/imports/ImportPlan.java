package glint.image.imports;

import glint.task.Task;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one import task is to do, as {@link ImportService#importImage} checked it: the method, web-download's URI,
 * the target stores in order, {@code all_stores_must_succeed}, whether it is copy-image (the image stays active and
 * keeps its data), and the roles of the request that started it (Glance's plugins see the request's context:
 * inject_image_metadata's {@code ignore_user_roles}). The roles live only in memory, as the task does: the task's
 * {@code input} keeps Glance's shape, and a task cut short by a restart is failed, never resumed.
 */
public record ImportPlan(Task task, String imageId, String method, Optional<String> uri, List<String> stores,
                         boolean mustSucceed, boolean copy, Set<String> roles) {
    public ImportPlan {
        stores = List.copyOf(stores);
        roles = Set.copyOf(roles);
    }
}
