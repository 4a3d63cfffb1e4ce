package glint.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.auth.RequestContext;
import glint.db.JdbcDataJournal;
import glint.db.JdbcImageRepository;
import glint.policy.PolicyEngine;
import glint.store.BlobNotFoundException;
import glint.store.BlobStore;
import glint.store.BlobWriter;
import glint.store.ByteSink;
import glint.store.FileStore;
import glint.store.StoreRegistry;
import glint.testing.MigratedDatabase;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Data an image gives up with a location is journalled in the transaction that saves the image: a node that fails
 * (here: a store that cannot delete, as after a crash between the save and the removal) leaves a journal entry, not
 * an orphan, and the next start removes the data. A location a client added releases nothing.
 */
class ReleasedDataTest {
    private static final String NODE = "node-1";
    private final RequestContext admin = new RequestContext("u", "admin", "default", "p1", "p1", "default",
            Set.of("admin", "member", "reader"), false, "req-1");

    @RegisterExtension
    final MigratedDatabase database = new MigratedDatabase();
    private JdbcImageRepository images;
    private JdbcDataJournal journal;
    private FileStore fast;
    private FileStore cheap;
    private volatile boolean deletesFail;
    private StoreRegistry stores;
    private DataRemoval removal;

    @BeforeEach
    void open() throws Exception {
        images = new JdbcImageRepository(database.db());
        journal = new JdbcDataJournal(database.db());
        fast = new FileStore("fast", database.dir().resolve("fast"));
        cheap = new FileStore("cheap", database.dir().resolve("cheap"));
        Map<String, BlobStore> all = new LinkedHashMap<>();
        all.put("fast", failing(fast));
        all.put("cheap", cheap);
        stores = new StoreRegistry(all, "fast");
        removal = new DataRemoval(stores, journal);
    }

    /** {@code store}, but {@link BlobStore#delete} fails while {@link #deletesFail}. */
    private BlobStore failing(BlobStore store) {
        return new BlobStore() {
            public String id() { return store.id(); }
            public String type() { return store.type(); }
            public boolean serves(String location) { return store.serves(location); }
            public BlobWriter create(String imageId) throws IOException { return store.create(imageId); }
            public void read(String l, long o, long n, ByteSink s) throws IOException { store.read(l, o, n, s); }
            public long size(String location) throws IOException { return store.size(location); }
            public void cleanup() throws IOException { store.cleanup(); }
            public void delete(String location) throws IOException {
                if (deletesFail) {
                    throw new IOException("the node died before removing " + location);
                }
                store.delete(location);
            }
        };
    }

    private String blob(FileStore store, String id) throws IOException {
        BlobWriter w = store.create(id);
        w.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        w.commit();
        return w.location();
    }

    private Image activeIn(List<ImageLocation> locations, String id) {
        Instant now = Instant.now();
        Image image = new Image(id, Optional.of("x"), ImageStatus.ACTIVE, Visibility.PRIVATE, false, false,
                Optional.of("p1"), Optional.of("raw"), Optional.of("bare"), 0, 0, Optional.of(3L), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), now, now, Set.of(), Map.of(), locations);
        assertThat(images.insert(image)).isTrue();
        return image;
    }

    @Test
    void aRemovalCutShortLeavesAJournalEntryThatTheNextStartCompletes() throws Exception {
        String id = UUID.randomUUID().toString();
        String inFast = blob(fast, id);
        String inCheap = blob(cheap, id);
        activeIn(List.of(new ImageLocation("fast", inFast, "active"), new ImageLocation("cheap", inCheap, "active")), id);
        StoreDeletion deletion = new StoreDeletion(new ImageAccess(PolicyEngine.defaults(), images), images, stores, true,
                new ReleasedData(removal, NODE), Clock.systemUTC());

        deletesFail = true;
        deletion.delete(admin, "fast", id);
        assertThat(images.find(id).orElseThrow().locations()).extracting(ImageLocation::storeId).containsExactly("cheap");
        assertThat(journal.ofNode(NODE)).extracting(PendingData::location).containsExactly(inFast);
        assertThat(fast.size(inFast)).isEqualTo(3);

        deletesFail = false; // the next start: ImageDataService.recover() removes what the journal names
        journal.ofNode(NODE).forEach(removal::remove);
        assertThat(journal.ofNode(NODE)).isEmpty();
        assertThatThrownBy(() -> fast.size(inFast)).isInstanceOf(BlobNotFoundException.class);
        assertThat(cheap.size(inCheap)).isEqualTo(3);
    }

    @Test
    void aSaveThatLosesTheRaceJournalsNothing() throws Exception {
        String id = UUID.randomUUID().toString();
        String inFast = blob(fast, id);
        Image image = activeIn(List.of(new ImageLocation("fast", inFast, "active")), id);
        ReleasedData released = new ReleasedData(removal, NODE);
        List<PendingData> entries = released.entries(id, image.locations());
        assertThat(images.updateMetadata(image.toBuilder().name(Optional.of("y")).build())).isTrue();
        assertThat(images.updateMetadata(image.toBuilder().locations(List.of()).build(), entries)).isFalse();
        assertThat(journal.ofNode(NODE)).isEmpty();
    }

    @Test
    void onlyOwnedLocationsReleaseData() {
        ReleasedData released = new ReleasedData(removal, NODE);
        ImageLocation added = new ImageLocation("fast", "file:///elsewhere/x", "active", Map.of("k", "v"), false);
        ImageLocation written = new ImageLocation("fast", "file:///x/y", "active");
        assertThat(released.entries("i", List.of(added, written))).extracting(PendingData::location)
                .containsExactly("file:///x/y");
        assertThat(ReleasedData.NONE.entries("i", List.of(added))).isEmpty();
    }
}
