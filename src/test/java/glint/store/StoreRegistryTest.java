package glint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.config.ConfigLoader;
import glint.config.GlintConfig.StoreConfig;
import glint.config.GlintConfig.StoresConfig;
import glint.config.IniFile;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.store.s3.S3Options;
import glint.store.s3.S3Store;
import glint.testing.DatabaseNeutral;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DatabaseNeutral
class StoreRegistryTest {
    @TempDir
    Path dir;

    private StoresConfig configOf(String... lines) {
        return ConfigLoader.fromIni(IniFile.parse(List.of(lines), "test"), Map.of("data-dir", dir.toString()), Map.of()).stores();
    }

    @Test
    void singleStoreIsTheDefault() throws Exception {
        try (StoreRegistry stores = StoreRegistry.from(configOf("[glance_store]", "filesystem_store_datadir = " + dir.resolve("img")))) {
            assertThat(stores.all()).hasSize(1);
            BlobStore store = stores.defaultStore();
            assertThat(store.id()).isEqualTo("file");
            assertThat(store.type()).isEqualTo("file");
            assertThat(((FileStore) store).directory()).isEqualTo(dir.resolve("img"));
            assertThat(stores.get("file")).isSameAs(store);
        }
    }

    @Test
    void multiStoreAsGlance() throws Exception {
        try (StoreRegistry stores = StoreRegistry.from(configOf(
                "[DEFAULT]", "enabled_backends = fast:file, cheap:file",
                "[glance_store]", "default_backend = cheap",
                "[fast]", "filesystem_store_datadir = " + dir.resolve("fast")))) {
            assertThat(stores.all()).extracting(BlobStore::id).containsExactly("fast", "cheap");
            assertThat(stores.defaultStore().id()).isEqualTo("cheap");
            assertThat(((FileStore) stores.get("fast")).directory()).isEqualTo(dir.resolve("fast"));
            assertThat(((FileStore) stores.get("cheap")).directory()).isEqualTo(dir.resolve("images").resolve("cheap"));
            assertThat(stores.find("slow")).isEmpty();
            assertThatThrownBy(() -> stores.get("slow"))
                    .isInstanceOfSatisfying(GlintException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BAD_REQUEST))
                    .hasMessage("Store for identifier slow not found");
        }
    }

    @Test
    void weightsHttpStoresAndWhichStoreServesALocation() throws Exception {
        try (StoreRegistry stores = StoreRegistry.from(configOf(
                "[DEFAULT]", "enabled_backends = fast:file, web:http, cheap:file",
                "[glance_store]", "default_backend = fast", "[cheap]", "weight = 100", "[web]", "weight = -5"))) {
            assertThat(stores.weight("cheap")).isEqualTo(100);
            assertThat(stores.weight("web")).isEqualTo(-5);
            assertThat(stores.weight("fast")).isZero();
            assertThat(stores.weight("gone")).isZero();
            assertThat(stores.get("web").readOnly()).isTrue();
            assertThat(stores.writable()).extracting(BlobStore::id).containsExactly("fast", "cheap");
            String inCheap = "file://" + dir.resolve("images").resolve("cheap").resolve("an-image");
            assertThat(stores.serving(inCheap).map(BlobStore::id)).contains("cheap");
            assertThat(stores.serving("https://example.com/x.img").map(BlobStore::id)).contains("web");
            assertThat(stores.serving("gopher://info.cern.ch")).isEmpty();
        }
        assertThatThrownBy(() -> StoreRegistry.from(configOf("[DEFAULT]", "enabled_backends = fast:file",
                "[glance_store]", "default_backend = fast", "[fast]", "weight = heavy")))
                .hasMessage("store 'fast': weight must be an integer, not 'heavy'");
        assertThatThrownBy(() -> StoreRegistry.from(configOf("[DEFAULT]", "enabled_backends = web:http",
                "[glance_store]", "default_backend = web"))).hasMessageContaining("is read-only");
    }

    @Test
    void aSingleStoreReadsHttpLocationsWithStoresListingHttp() throws Exception {
        try (StoreRegistry stores = StoreRegistry.from(configOf("[glance_store]", "stores = file, http"))) {
            assertThat(stores.all()).extracting(BlobStore::id).containsExactly("file", "http");
            assertThat(stores.defaultStore().id()).isEqualTo("file");
            assertThat(stores.serving("http://example.com/x").map(BlobStore::type)).contains("http");
        }
    }

    @Test
    void unknownTypeIsAStartupErrorNamingStoreAndType() {
        assertThatThrownBy(() -> StoreRegistry.from(configOf(
                "[DEFAULT]", "enabled_backends = fast:file, cloud:s4", "[glance_store]", "default_backend = fast")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cloud").hasMessageContaining("s4").hasMessageContaining("supported: file");
    }

    @Test
    void fileStoreNeedsADirectory() {
        StoresConfig config = new StoresConfig(List.of(new StoreConfig("f", "file", "", Map.of())), "f", true);
        assertThatThrownBy(() -> StoreRegistry.from(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("filesystem_store_datadir");
    }

    @Test
    void cleanupCoversEveryStore() throws Exception {
        try (StoreRegistry stores = StoreRegistry.from(configOf(
                "[DEFAULT]", "enabled_backends = a:file, b:file", "[glance_store]", "default_backend = a"))) {
            // a write a dead node left behind, untouched for longer than the age bound
            java.nio.file.Path left = dir.resolve("images").resolve("b").resolve(".img." + java.util.UUID.randomUUID() + ".partial");
            java.nio.file.Files.write(left, new byte[10]);
            java.nio.file.Files.setLastModifiedTime(left, java.nio.file.attribute.FileTime.from(
                    java.time.Instant.now().minus(BlobStore.STALE_AFTER).minusSeconds(60)));
            stores.cleanup();
            assertThat(java.nio.file.Files.list(dir.resolve("images").resolve("b")).count()).isZero();
        }
    }

    @Test
    void s3StoresAsGlanceConfiguresThem() throws Exception {
        try (StoreRegistry stores = StoreRegistry.from(configOf(
                "[DEFAULT]", "enabled_backends = fast:file, objects:s3",
                "[glance_store]", "default_backend = fast",
                "[objects]", "s3_store_host = https://s3.example.com", "s3_store_access_key = AK", "s3_store_secret_key = SK",
                "s3_store_bucket = images", "s3_store_large_object_chunk_size = 8", "s3_store_thread_pools = 4",
                "s3_store_bucket_url_format = path", "s3_store_create_bucket_on_put = true"))) {
            S3Store objects = (S3Store) stores.get("objects");
            assertThat(objects.type()).isEqualTo("s3");
            S3Options o = objects.options();
            assertThat(o.chunkSize()).isEqualTo(8 << 20);
            assertThat(o.threadPools()).isEqualTo(4);
            assertThat(o.largeObjectSize()).isEqualTo(100L << 20);
            assertThat(o.createBucketOnPut()).isTrue();
            assertThat(o.urlFormat()).isEqualTo(S3Options.UrlFormat.PATH);
            assertThat(o.toString()).doesNotContain("SK", "AK");
        }
        try (StoreRegistry single = StoreRegistry.from(configOf("[glance_store]", "default_store = s3",
                "s3_store_host = 127.0.0.1:9000", "s3_store_access_key = AK", "s3_store_secret_key = SK",
                "s3_store_bucket = images"))) {
            assertThat(single.defaultStore().id()).isEqualTo("s3");
            assertThat(single.defaultStore()).isInstanceOf(S3Store.class);
        }
    }

    @Test
    void s3OptionsAreCheckedAtStartAsGlanceStoreDoes() {
        String[] base = {"[DEFAULT]", "enabled_backends = objects:s3", "[glance_store]", "default_backend = objects",
                "[objects]", "s3_store_host = 127.0.0.1:9000", "s3_store_access_key = AK", "s3_store_secret_key = SK"};
        assertThatThrownBy(() -> StoreRegistry.from(configOf(base))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("objects").hasMessageContaining("Could not find s3_store_bucket");
        for (String[] bad : List.of(new String[] {"s3_store_large_object_chunk_size = 4", "at least"},
                new String[] {"s3_store_thread_pools = 0", "s3_store_thread_pools"},
                new String[] {"s3_store_bucket_url_format = dns", "s3_store_bucket_url_format"},
                new String[] {"s3_store_create_bucket_on_put = maybe", "s3_store_create_bucket_on_put"})) {
            List<String> lines = new java.util.ArrayList<>(List.of(base));
            lines.add("s3_store_bucket = images");
            lines.add(bad[0]);
            assertThatThrownBy(() -> StoreRegistry.from(configOf(lines.toArray(String[]::new)))).as(bad[0])
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("store 'objects'")
                    .hasMessageContaining(bad[1]);
        }
    }
}
