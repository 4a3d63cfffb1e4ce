package glint.db;

import static org.assertj.core.api.Assertions.assertThat;

import glint.image.Image;
import glint.image.ImageLocation;
import glint.image.ImageQuery;
import glint.image.ImageRepository.Viewer;
import glint.image.ImageStatus;
import glint.image.LocationOrder;
import glint.image.PendingData;
import glint.image.Visibility;
import glint.testing.MigratedDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Locations on the selected database: order, metadata and ownership kept; what holds Glint's data; deletion journals. */
class ImageLocationsRepositoryTest {
    @RegisterExtension
    final MigratedDatabase database = new MigratedDatabase();
    private JdbcImageRepository repo;

    @BeforeEach
    void open() {
        Map<String, Integer> weights = Map.of("heavy", 50, "light", 1);
        repo = new JdbcImageRepository(database.db(), LocationOrder.byWeight(s -> weights.getOrDefault(s, 0)));
    }

    private Image image(List<ImageLocation> locations) {
        Instant now = Instant.ofEpochMilli(1_700_000_000_000L);
        Image image = new Image(UUID.randomUUID().toString(), Optional.of("x"), ImageStatus.ACTIVE, Visibility.PRIVATE,
                false, false, Optional.of("p1"), Optional.of("raw"), Optional.of("bare"), 0, 0, Optional.of(3L),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), now, now, Set.of(), Map.of(), locations);
        assertThat(repo.insert(image)).isTrue();
        return image;
    }

    @Test
    void keepsSeveralLocationsPerStoreWithMetadataAndOwnershipOrderedByWeightThenAsAdded() {
        Map<String, Object> nested = Map.of("foo", "bar", "n", 3, "deep", Map.of("list", List.of(1, "two")));
        ImageLocation light = new ImageLocation("light", "file:///l/x", "active");
        ImageLocation web1 = new ImageLocation("web", "http://h/x", "active", nested, false);
        ImageLocation web2 = new ImageLocation("web", "http://h/x#new", "active", Map.of(), false);
        ImageLocation heavy = new ImageLocation("heavy", "file:///h/x", "active");
        Image image = image(List.of(light, web1, web2, heavy));

        Image read = repo.find(image.id()).orElseThrow();
        assertThat(read.locations()).containsExactly(heavy, light, web1, web2);
        assertThat(read.locations().get(2).metadata()).isEqualTo(nested);
        assertThat(read.locations().get(2).owned()).isFalse();
        ImageQuery all = new ImageQuery(Map.of(), List.of(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                false, List.of(), Optional.empty(), "accepted", List.of(new ImageQuery.SortKey("created_at", false),
                new ImageQuery.SortKey("id", false)), 10, Optional.empty());
        assertThat(repo.list(all, new Viewer(Optional.of("p1"), true), Optional.empty()).get(0).locations())
                .containsExactly(heavy, light, web1, web2);
    }

    @Test
    void holdsDataOfOwnedLocationsOfLiveImagesAndOfTheJournal() {
        Image image = image(List.of(new ImageLocation("light", "file:///l/a", "active"),
                new ImageLocation("web", "http://h/a", "active", Map.of(), false)));
        assertThat(repo.holdsData("file:///l/a")).isTrue();
        assertThat(repo.holdsData("http://h/a")).isFalse();
        assertThat(repo.holdsData("file:///l/unknown")).isFalse();

        List<PendingData> journalled = repo.markDeleted(image.id(), "node-1");
        assertThat(journalled).extracting(PendingData::location).containsExactly("file:///l/a");
        assertThat(repo.holdsData("file:///l/a")).as("until the journal entry is gone").isTrue();
        new JdbcDataJournal(database.db()).remove(journalled.get(0).id());
        assertThat(repo.holdsData("file:///l/a")).isFalse();
    }
}
