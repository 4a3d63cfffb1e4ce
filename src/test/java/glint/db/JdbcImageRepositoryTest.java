package glint.db;

import static org.assertj.core.api.Assertions.assertThat;

import glint.image.Image;
import glint.image.ImageQuery;
import glint.image.ImageQuery.SortKey;
import glint.image.ImageRepository.Viewer;
import glint.image.ImageStatus;
import glint.image.Visibility;
import glint.testing.MigratedDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Keyset pagination on the selected database: every page order equals a full in-memory sort, no gaps, no duplicates. */
class JdbcImageRepositoryTest {
    @RegisterExtension
    final MigratedDatabase database = new MigratedDatabase();
    private JdbcImageRepository repo;
    private final Viewer admin = new Viewer(Optional.of("p1"), true);

    @BeforeEach
    void open() {
        repo = new JdbcImageRepository(database.db());
    }

    private Image image(String name, Long size, long createdMillis, String owner, Visibility visibility) {
        Instant t = Instant.ofEpochMilli(createdMillis);
        return new Image(UUID.randomUUID().toString(), Optional.ofNullable(name), ImageStatus.QUEUED, visibility, false, false,
                Optional.of(owner), Optional.of("raw"), Optional.of("bare"), 0, 0, Optional.ofNullable(size), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), t, t, Set.of("t" + (createdMillis % 3)),
                Map.of("k", "v" + (createdMillis % 2)), List.of());
    }

    private static ImageQuery query(List<SortKey> sort, int limit, Optional<String> marker) {
        return new ImageQuery(Map.of(), List.of(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty(), false,
                List.of(), Optional.empty(), "accepted", sort, limit, marker);
    }

    @Test
    void pagesFollowTheSortOrderWithoutGapsOrDuplicatesForEverySortKey() {
        Random random = new Random(42);
        List<Image> all = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            // duplicate names, null names and sizes, equal timestamps: the tie-breakers must decide
            Image img = image(random.nextInt(5) == 0 ? null : "n" + random.nextInt(7),
                    random.nextInt(4) == 0 ? null : (long) random.nextInt(5), 1000L + random.nextInt(10), "p1", Visibility.PRIVATE);
            assertThat(repo.insert(img)).isTrue();
            all.add(img);
        }
        for (List<SortKey> sort : List.of(
                List.of(new SortKey("created_at", false), new SortKey("id", false)),
                List.of(new SortKey("name", true), new SortKey("created_at", true), new SortKey("id", true)),
                List.of(new SortKey("size", false), new SortKey("name", true), new SortKey("created_at", false), new SortKey("id", false)))) {
            List<String> paged = new ArrayList<>();
            Optional<Image> marker = Optional.empty();
            while (true) {
                List<Image> page = repo.list(query(sort, 7, marker.map(Image::id)), admin, marker);
                page.forEach(i -> paged.add(i.id()));
                if (page.size() < 7) {
                    break;
                }
                marker = Optional.of(page.get(page.size() - 1));
            }
            List<String> expected = all.stream().sorted(comparator(sort)).map(Image::id).toList();
            assertThat(paged).as("sort %s", sort).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void imagesCreatedWhilePagingDoNotShiftLaterPages() {
        List<SortKey> sort = List.of(new SortKey("created_at", false), new SortKey("id", false));
        for (int i = 0; i < 20; i++) {
            repo.insert(image("old" + i, 1L, 1000L + i, "p1", Visibility.PRIVATE));
        }
        List<Image> first = repo.list(query(sort, 5, Optional.empty()), admin, Optional.empty());
        for (int i = 0; i < 10; i++) {
            repo.insert(image("new" + i, 1L, 5000L + i, "p1", Visibility.PRIVATE));
        }
        Set<String> seen = new HashSet<>();
        first.forEach(i -> seen.add(i.name().orElseThrow()));
        Optional<Image> marker = Optional.of(first.get(4));
        while (marker.isPresent()) {
            List<Image> page = repo.list(query(sort, 5, marker.map(Image::id)), admin, marker);
            for (Image i : page) {
                assertThat(seen.add(i.name().orElseThrow())).as("duplicate %s", i.name()).isTrue();
            }
            marker = page.size() == 5 ? Optional.of(page.get(4)) : Optional.empty();
        }
        assertThat(seen).hasSize(20).allMatch(n -> n.startsWith("old"));
    }

    @Test
    void regularUsersSeePublicCommunityOwnAndAcceptedSharedImagesOnly() {
        repo.insert(image("mine", 1L, 1, "p1", Visibility.PRIVATE));
        repo.insert(image("public", 1L, 2, "p2", Visibility.PUBLIC));
        repo.insert(image("private-other", 1L, 3, "p2", Visibility.PRIVATE));
        repo.insert(image("community-other", 1L, 4, "p2", Visibility.COMMUNITY));
        repo.insert(image("community-mine", 1L, 5, "p1", Visibility.COMMUNITY));
        List<SortKey> sort = List.of(new SortKey("created_at", true), new SortKey("id", true));
        Viewer user = new Viewer(Optional.of("p1"), false);
        assertThat(names(repo.list(query(sort, 100, Optional.empty()), user, Optional.empty())))
                .containsExactly("mine", "public", "community-mine");
        ImageQuery community = new ImageQuery(Map.of(), List.of(), Map.of(), Optional.empty(), Optional.empty(), Optional.empty(),
                false, List.of(), Optional.of("community"), "accepted", sort, 100, Optional.empty());
        assertThat(names(repo.list(community, user, Optional.empty()))).containsExactly("community-other", "community-mine");
        assertThat(names(repo.list(query(sort, 100, Optional.empty()), admin, Optional.empty())))
                .containsExactly("mine", "public", "private-other", "community-mine");
    }

    @Test
    void updateIsConditionalOnTheExpectedStatus() {
        Image img = image("x", null, 1, "p1", Visibility.PRIVATE);
        repo.insert(img);
        Image saving = img.toBuilder().status(ImageStatus.SAVING).build();
        assertThat(repo.update(saving, ImageStatus.QUEUED)).isTrue();
        assertThat(repo.update(saving.toBuilder().status(ImageStatus.ACTIVE).build(), ImageStatus.QUEUED)).isFalse();
        assertThat(repo.find(img.id()).orElseThrow().status()).isEqualTo(ImageStatus.SAVING);
        assertThat(repo.insert(img)).as("duplicate id").isFalse();
        repo.markDeleted(img.id(), "node");
        assertThat(repo.find(img.id())).isEmpty();
        assertThat(repo.insert(img)).as("ids of deleted images stay taken").isFalse();
    }

    private static List<String> names(List<Image> images) {
        return images.stream().map(i -> i.name().orElse("")).toList();
    }

    private static Comparator<Image> comparator(List<SortKey> sort) {
        Comparator<Image> c = null;
        for (SortKey k : sort) {
            Comparator<Image> one = switch (k.attribute()) {
                case "name" -> Comparator.comparing((Image i) -> i.name().orElse(""));
                case "size" -> Comparator.comparing((Image i) -> i.size().orElse(-1L));
                case "created_at" -> Comparator.comparing(Image::createdAt);
                case "id" -> Comparator.comparing(Image::id);
                default -> throw new IllegalArgumentException(k.attribute());
            };
            if (!k.ascending()) {
                one = one.reversed();
            }
            c = c == null ? one : c.thenComparing(one);
        }
        return c;
    }
}
