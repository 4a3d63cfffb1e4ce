package glint.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.config.ConfigLoader;
import glint.config.GlintConfig.StoreConfig;
import glint.config.GlintConfig.StoresConfig;
import glint.config.IniFile;
import glint.error.ErrorKind;
import glint.error.GlintException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
