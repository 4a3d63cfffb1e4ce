package glint.store.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.store.BlobNotFoundException;
import glint.store.StoreReadOnlyException;
import glint.testing.DatabaseNeutral;
import glint.testing.FakeWeb;
import glint.testing.TestBytes;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** glance_store's read-only http store against a web server on loopback. */
@DatabaseNeutral
class HttpStoreTest {
    private final FakeWeb web = FakeWeb.start();
    private final HttpStore store = new HttpStore("web", URI::create, Duration.ofSeconds(10));

    @AfterEach
    void stop() {
        web.close();
    }

    private static byte[] read(HttpStore s, String location, long offset, long length) throws IOException {
        return TestBytes.readBack(s, location, offset, length);
    }

    @Test
    void sizeIsTheContentLengthOfAHeadAndReadsAreGets() throws Exception {
        byte[] data = TestBytes.bytes(1, 300_001);
        String url = web.put("/images/cirros.img", data);
        assertThat(store.size(url)).isEqualTo(data.length);
        assertThat(read(store, url, 0, data.length)).isEqualTo(data);
        assertThat(web.requests()).containsExactly("HEAD /images/cirros.img", "GET /images/cirros.img");
    }

    @Test
    void rangesAreRangeRequestsOrSkippedToWhenTheServerSendsItAll() throws Exception {
        byte[] data = TestBytes.bytes(2, 100_000);
        String url = web.put("/x", data);
        assertThat(read(store, url, 12_345, 678)).isEqualTo(Arrays.copyOfRange(data, 12_345, 13_023));
        web.ignoreRanges();
        assertThat(read(store, url, 99_000, 1000)).isEqualTo(Arrays.copyOfRange(data, 99_000, 100_000));
        assertThatThrownBy(() -> read(store, url, 99_000, 1001)).isInstanceOf(EOFException.class);
    }

    @Test
    void aFragmentOnlyTellsLocationsApart() throws Exception {
        String url = web.put("/same", new byte[] {1, 2, 3});
        assertThat(store.size(url + "#new")).isEqualTo(3);
        assertThat(read(store, url + "#new", 0, 3)).containsExactly(1, 2, 3);
        assertThat(web.requests()).containsOnly("HEAD /same", "GET /same");
    }

    @Test
    void missingDataIsNotFound() {
        assertThatThrownBy(() -> store.size(web.url("/nothing"))).isInstanceOf(BlobNotFoundException.class);
        assertThatThrownBy(() -> read(store, web.url("/nothing"), 0, 1)).isInstanceOf(BlobNotFoundException.class);
    }

    @Test
    void followsRedirectsEachCheckedByTheGuard() throws Exception {
        String url = web.put("/final", new byte[] {9});
        web.redirect("/a", "/b");
        web.redirect("/b", url);
        assertThat(store.size(web.url("/a"))).isEqualTo(1);

        HttpStore guarded = new HttpStore("web", u -> {
            if (u.endsWith("/final")) {
                throw new HttpGuard.Refused(u);
            }
            return URI.create(u);
        }, Duration.ofSeconds(10));
        assertThatThrownBy(() -> guarded.size(web.url("/a"))).isInstanceOf(HttpGuard.Refused.class);
        assertThat(web.requests()).filteredOn(r -> r.endsWith("/final")).hasSize(1); // the unguarded store's only
    }

    @Test
    void givesUpAfterFiveRequests() {
        for (int i = 0; i < 10; i++) {
            web.redirect("/r" + i, "/r" + (i + 1));
        }
        assertThatThrownBy(() -> store.size(web.url("/r0"))).hasMessageContaining("exceeded 5 maximum redirects");
        assertThat(web.requests()).hasSize(HttpStore.MAX_REQUESTS);
    }

    @Test
    void refusedUrlsAreNeverRequested() {
        HttpStore refusing = new HttpStore("web", HttpGuard.REFUSE_ALL, Duration.ofSeconds(10));
        String url = web.put("/x", new byte[] {1});
        assertThatThrownBy(() -> refusing.size(url)).isInstanceOf(HttpGuard.Refused.class);
        assertThat(web.requests()).isEmpty();
    }

    @Test
    void neverWritesNorDeletes() throws Exception {
        String url = web.put("/kept", new byte[] {1, 2});
        assertThat(store.readOnly()).isTrue();
        assertThatThrownBy(() -> store.create("an-image")).isInstanceOf(StoreReadOnlyException.class);
        store.delete(url);
        assertThat(store.size(url)).isEqualTo(2);
        assertThat(web.requests()).containsExactly("HEAD /kept");
    }

    @Test
    void servesHttpAndHttpsUrlsOnly() {
        assertThat(List.of("http://h/x", "HTTPS://h/x")).allMatch(store::serves);
        assertThat(List.of("file:///x", "s3://h/b/k", "gopher://h", "")).noneMatch(store::serves);
    }
}
