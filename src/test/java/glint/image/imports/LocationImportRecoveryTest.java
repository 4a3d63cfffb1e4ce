package glint.image.imports;

import static org.assertj.core.api.Assertions.assertThat;

import glint.auth.RequestContext;
import glint.data.HashAlgorithm;
import glint.db.JdbcImageRepository;
import glint.db.JdbcTaskRepository;
import glint.format.FormatOptions;
import glint.format.FormatRules;
import glint.http.Json;
import glint.image.FormatChecks;
import glint.image.Image;
import glint.image.ImageLocation;
import glint.image.ImageStatus;
import glint.image.LocationChecks;
import glint.image.Visibility;
import glint.store.FileStore;
import glint.store.StoreRegistry;
import glint.task.Task;
import glint.task.TaskLifecycle;
import glint.task.TaskStatus;
import glint.testing.MigratedDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A node that stopped during a location_import task fails it at start and puts its image back to queued. */
class LocationImportRecoveryTest {
    private static final String URL = "http://web.example/image.img";

    @RegisterExtension
    final MigratedDatabase database = new MigratedDatabase();
    private final RequestContext ctx = new RequestContext("u", "user", "default", "p1", "p1", "default",
            Set.of("member", "reader"), false, "req-1");
    private JdbcImageRepository images;
    private TaskLifecycle lifecycle;
    private LocationImportTask locationTask;

    @BeforeEach
    void wire() throws Exception {
        images = new JdbcImageRepository(database.db());
        lifecycle = new TaskLifecycle(new JdbcTaskRepository(database.db(), Json.mapper()), Duration.ofHours(48), "node-1",
                Clock.systemUTC(), glint.task.TaskEvents.NONE);
        StoreRegistry stores = new StoreRegistry(Map.of("fast", new FileStore("fast", database.dir().resolve("fast"))), "fast");
        locationTask = new LocationImportTask(lifecycle, new ImportImages(images, Clock.systemUTC(), glint.image.ImageEvents.NONE),
                new LocationChecks(stores, images), stores, HashAlgorithm.of("sha512"), true,
                new FormatChecks(new FormatRules(FormatOptions.defaults()), true));
    }

    private String imageHeldBy(String id, String taskId, ImageStatus status, List<ImageLocation> locations) {
        Instant now = Instant.now();
        assertThat(images.insert(new Image(id, Optional.of("x"), status, Visibility.PRIVATE, false, false, Optional.of("p1"),
                Optional.of("raw"), Optional.of("bare"), 0, 0, Optional.of(3L), Optional.empty(), Optional.empty(),
                Optional.of("sha512"), Optional.empty(), now, now, Set.of(), Map.of(ImportProperties.LOCK, taskId),
                locations))).isTrue();
        return id;
    }

    private Task processing(String type, String imageId) {
        Task created = lifecycle.create(type, ctx, imageId, Map.of("image_id", imageId, "loc_url", URL));
        return lifecycle.begin(created).orElseThrow();
    }

    @Test
    void anImageLeftImportingGoesBackToQueuedWithoutTheLocationAndTheTaskFails() {
        String id = UUID.randomUUID().toString();
        Task task = processing(LocationImportTask.TYPE, id);
        String imageId = imageHeldBy(id, task.id(), ImageStatus.IMPORTING,
                List.of(new ImageLocation("web", URL, "active", Map.of(), false)));
        Task other = processing(Task.IMAGE_IMPORT, imageId);

        locationTask.recover();

        Image image = images.find(imageId).orElseThrow();
        assertThat(image.status()).isEqualTo(ImageStatus.QUEUED);
        assertThat(image.locations()).isEmpty();
        assertThat(image.size()).isEmpty();
        assertThat(image.osHashAlgo()).isEmpty();
        assertThat(image.properties()).doesNotContainKey(ImportProperties.LOCK);
        Task failed = lifecycle.find(task.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo(TaskStatus.FAILURE);
        assertThat(failed.message()).isEqualTo("Glint restarted while the task was running");
        assertThat(lifecycle.find(other.id()).orElseThrow().status()).as("imports are ImportRecovery's")
                .isEqualTo(TaskStatus.PROCESSING);
    }

    @Test
    void anImageAlreadyActiveKeepsItsLocationAndLosesOnlyTheLock() {
        String imageId = UUID.randomUUID().toString();
        Task task = processing(LocationImportTask.TYPE, imageId);
        ImageLocation location = new ImageLocation("web", URL, "active", Map.of(), false);
        imageHeldBy(imageId, task.id(), ImageStatus.ACTIVE, List.of(location));
        locationTask.revert(imageId, task.id(), URL);
        Image image = images.find(imageId).orElseThrow();
        assertThat(image.status()).isEqualTo(ImageStatus.ACTIVE);
        assertThat(image.locations()).containsExactly(location);
        assertThat(image.properties()).doesNotContainKey(ImportProperties.LOCK);
    }
}
