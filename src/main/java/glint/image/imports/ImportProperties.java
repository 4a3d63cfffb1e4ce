package glint.image.imports;

import glint.image.Image;
import glint.image.ImageStatus;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The {@code os_glance_*} properties an import keeps on its image, as Glance's import flow does
 * (glance/async_/flows/api_image_import.py, {@code _ImportToStore} and {@code ImportActionWrapper}): the task
 * holding the image ({@code os_glance_import_task}), the stores still to do and the ones that failed (both shown
 * only with multiple stores), and the node holding staged data ({@code os_glance_stage_host}).
 *
 * @param multiStore whether {@code enabled_backends} is configured
 * @param node this node, the stage host of what it stages
 */
public record ImportProperties(boolean multiStore, String node) {
    public static final String LOCK = "os_glance_import_task";
    public static final String IMPORTING = "os_glance_importing_to_stores";
    public static final String FAILED = "os_glance_failed_import";
    public static final String STAGE_HOST = "os_glance_stage_host";
    /** Glance's reserved namespace ({@code GLANCE_RESERVED_NS}): properties no import copies or sets from outside. */
    static final String RESERVED_PREFIX = "os_glance";

    /** Staged here: {@code os_glance_stage_host} names this node. */
    Image staged(Image image) {
        Map<String, String> props = new HashMap<>(image.properties());
        props.put(STAGE_HOST, node);
        return image.toBuilder().properties(props).build();
    }

    /** The staged data is gone: back to queued, without the staged size or the stage host. */
    static Image unstaged(Image image) {
        Map<String, String> props = new HashMap<>(image.properties());
        props.remove(STAGE_HOST);
        return image.toBuilder().status(ImageStatus.QUEUED).size(Optional.empty()).properties(props).build();
    }

    /** Task {@code taskId} takes the image: it holds the lock, its target stores are importing and not failed. */
    Image locked(Image image, String taskId, List<String> targets) {
        List<String> shown = multiStore ? targets : List.of();
        Map<String, String> props = new HashMap<>(image.properties());
        props.put(LOCK, taskId);
        props.put(IMPORTING, merge(props.get(IMPORTING), shown, List.of()));
        props.put(FAILED, merge(props.get(FAILED), List.of(), shown));
        return image.toBuilder().properties(props).build();
    }

    /** The lock dropped, if {@code taskId} holds it. */
    static Image unlocked(Image image, String taskId) {
        if (!taskId.equals(image.properties().get(LOCK))) {
            return image;
        }
        Map<String, String> props = new HashMap<>(image.properties());
        props.remove(LOCK);
        return image.toBuilder().properties(props).build();
    }

    /** Another task than {@code taskId} holds the image. */
    static boolean lockedByOther(Image image, String taskId) {
        return !taskId.equals(image.properties().getOrDefault(LOCK, taskId));
    }

    /** {@code done} stores leave the importing list, {@code failed} ones join the failed list. */
    Image progress(Image image, List<String> done, List<String> failed) {
        Map<String, String> props = new HashMap<>(image.properties());
        props.put(IMPORTING, merge(props.get(IMPORTING), List.of(), multiStore ? done : List.of()));
        props.put(FAILED, merge(props.get(FAILED), multiStore ? failed : List.of(), List.of()));
        return image.toBuilder().properties(props).build();
    }

    /** The stores of {@code targets} ({@code "*"}: any) still in the importing list. */
    static List<String> importing(Image image, List<String> targets) {
        return split(image.properties().get(IMPORTING)).stream()
                .filter(s -> targets.contains(s) || targets.contains("*")).toList();
    }

    /** Glance's {@code merge_store_list}: a sorted, comma-separated set. */
    static String merge(String existing, List<String> add, List<String> remove) {
        TreeSet<String> set = new TreeSet<>(split(existing));
        set.addAll(add);
        remove.forEach(set::remove);
        return String.join(",", set);
    }

    private static List<String> split(String list) {
        return list == null ? List.of() : Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
