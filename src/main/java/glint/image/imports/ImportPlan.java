package glint.image.imports;

import glint.task.Task;
import java.util.List;
import java.util.Optional;

/**
 * What one import task is to do, as {@link ImportService#importImage} checked it: the method, web-download's URI,
 * the target stores in order, {@code all_stores_must_succeed}, and whether it is copy-image (the image stays
 * active and keeps its data).
 */
public record ImportPlan(Task task, String imageId, String method, Optional<String> uri, List<String> stores,
                         boolean mustSucceed, boolean copy) {}
