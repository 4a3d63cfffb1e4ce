package glint.store.swift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.store.BlobStore;
import glint.store.BlobWriter;
import glint.store.StoreUnavailableException;
import glint.testing.DatabaseNeutral;
import glint.testing.Poll;
import glint.testing.SwiftFixture;
import glint.testing.TcpProxy;
import glint.testing.TestBytes;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The swift store when Swift fails (issue 12): Swift reached through a {@link TcpProxy} ({@code swift_store_endpoint}
 * names it) that the test takes down, turns into a 503-answering front, or makes hang. Temporary failures are tried
 * again with backoff and either succeed once Swift is back or fail cleanly, as a 503, after the bound.
 */
@DatabaseNeutral
class SwiftStoreBehaviourTest {
    private static final Backoff QUICK = new Backoff(3, Duration.ofMillis(10), Duration.ofMillis(50));
    private final SwiftFixture swift = SwiftFixture.fromSystemProperties();
    private final List<BlobStore> opened = new ArrayList<>();
    private TcpProxy proxy;
    private String container;

    @BeforeAll
    static void needsSwift() {
        SwiftFixture.assumePresent();
    }

    @BeforeEach
    void front() throws Exception {
        URI storage = URI.create(swift.storageUrl());
        proxy = new TcpProxy(storage.getHost(), storage.getPort(), true);
        container = swift.newContainer();
    }

    @AfterEach
    void close() {
        opened.forEach(BlobStore::close);
        proxy.close();
    }

    /** A store that reaches Swift through the proxy, trying {@code backoff}, waiting {@code timeout} for answers. */
    private SwiftStore store(Backoff backoff, Duration timeout, String... extra) {
        URI storage = URI.create(swift.storageUrl());
        String endpoint = "http://127.0.0.1:" + proxy.port() + storage.getRawPath();
        List<String> options = new ArrayList<>(List.of("swift_store_endpoint", endpoint));
        options.addAll(List.of(extra));
        Map<String, String> o = swift.storeOptions(container, options.toArray(String[]::new));
        SwiftStore s = new SwiftStore("objects", SwiftOptions.parse("objects", o), BlobStore.STALE_AFTER, Clock.systemUTC(),
                backoff, timeout);
        opened.add(s);
        return s;
    }

    private static String put(BlobStore store, int size) throws Exception {
        try (BlobWriter w = store.create(UUID.randomUUID().toString())) {
            w.write(ByteBuffer.wrap(TestBytes.bytes(7, size)));
            return w.commit();
        }
    }

    @Test
    void aSwiftThatIsDownFailsCleanlyAsUnavailableAfterTheBound() throws Exception {
        SwiftStore store = store(QUICK, Duration.ofSeconds(5));
        String location = put(store, 1000);
        proxy.shut();
        int before = proxy.turnedAway();
        assertThatThrownBy(() -> store.size(location)).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("after 3 tries");
        // java.net.http itself tries an idempotent request once more on a connection closed before any answer
        assertThat(proxy.turnedAway() - before).as("one or two connections per try").isBetween(3, 6);
        assertThat(store.problem()).isPresent();
        assertThatThrownBy(() -> put(store, 10)).isInstanceOf(StoreUnavailableException.class);
        proxy.open();
        assertThat(store.size(location)).isEqualTo(1000);
        assertThat(store.problem()).isEmpty();
    }

    @Test
    void answers503AreTriedAgainThenReturnedAsUnavailable() throws Exception {
        SwiftStore store = store(QUICK, Duration.ofSeconds(5));
        String location = put(store, 1000);
        proxy.unavailable();
        int before = proxy.turnedAway();
        assertThatThrownBy(() -> store.size(location)).isInstanceOf(StoreUnavailableException.class);
        assertThat(proxy.turnedAway() - before).isEqualTo(3);
    }

    @Test
    void aSwiftThatComesBackWithinTheBoundIsUsedAsIfNothingHappened() throws Exception {
        SwiftStore store = store(new Backoff(8, Duration.ofMillis(100), Duration.ofSeconds(1)), Duration.ofSeconds(5));
        String location = put(store, 5000);
        proxy.unavailable();
        int before = proxy.turnedAway();
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return TestBytes.readBack(store, location, 0, 5000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Poll.until("a try answered 503", Duration.ofSeconds(10), () -> proxy.turnedAway() > before);
        proxy.open();
        assertThat(read.get()).isEqualTo(TestBytes.bytes(7, 5000));
    }

    @Test
    void aHungSwiftTimesOutAndFailsAfterTheBound() throws Exception {
        SwiftStore store = store(QUICK, Duration.ofMillis(300));
        String location = put(store, 1000);
        proxy.stall();
        int before = proxy.turnedAway();
        assertThatThrownBy(() -> store.size(location)).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("after 3 tries");
        assertThat(proxy.turnedAway() - before).isEqualTo(3);
    }

    @Test
    void aSegmentedWriteCutMidwayFailsAndLeavesNoSegmentBehind() throws Exception {
        SwiftStore store = store(QUICK, Duration.ofSeconds(5), "swift_store_large_object_chunk_size", "1",
                "swift_store_large_object_size", "1");
        BlobWriter w = store.create(UUID.randomUUID().toString());
        w.write(ByteBuffer.wrap(TestBytes.bytes(9, 3_000_000))); // two segments stored, the third under way
        proxy.shut(); // cuts the third segment's upload
        assertThatThrownBy(() -> {
            w.write(ByteBuffer.wrap(TestBytes.bytes(10, 2_000_000)));
            w.commit();
        }).isInstanceOf(java.io.IOException.class);
        proxy.open();
        String object = w.location().substring(w.location().lastIndexOf('/') + 1);
        // the abort deleted what it could; what it could not, delete(location) (the journal) removes
        store.delete(w.location());
        assertThat(swift.objects(container)).noneMatch(n -> n.startsWith(object));
    }
}
