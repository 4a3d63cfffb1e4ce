package glint.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.config.GlintConfig.CacheConfig;
import glint.testing.DatabaseNeutral;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cache switch: Glance's paste flavor or image_cache_dir, with Glance's option names. */
@DatabaseNeutral
class CacheConfigTest {
    private static CacheConfig cache(String... lines) {
        return ConfigLoader.fromIni(IniFile.parse(List.of(lines), "test"), Map.of("data-dir", "/srv/glint"), Map.of())
                .cache();
    }

    @Test
    void offByDefault() {
        assertThat(cache().enabled()).isFalse();
        assertThat(cache("[paste_deploy]", "flavor = keystone").enabled()).isFalse();
    }

    @Test
    void theCacheManagementFlavorTurnsItOnInTheDataDir() {
        CacheConfig c = cache("[paste_deploy]", "flavor = keystone+cachemanagement");
        assertThat(c.enabled()).isTrue();
        assertThat(c.dir()).isEqualTo(Path.of("/srv/glint/image-cache"));
        assertThat(c.maxSize()).isEqualTo(10L << 30);
        assertThat(c.prefetchDelay()).isEqualTo(Duration.ZERO);
        assertThat(cache("[paste_deploy]", "flavor = keystone+caching").enabled()).isTrue();
    }

    @Test
    void imageCacheDirAloneTurnsItOnAsGlanceServesTheApiThen() {
        CacheConfig c = cache("image_cache_dir = /var/cache/glint", "image_cache_max_size = 1000",
                "image_cache_prefetch_delay = 2.5");
        assertThat(c.enabled()).isTrue();
        assertThat(c.dir()).isEqualTo(Path.of("/var/cache/glint"));
        assertThat(c.maxSize()).isEqualTo(1000);
        assertThat(c.prefetchDelay()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void badValuesStopTheStartWithTheOptionsName() {
        assertThatThrownBy(() -> cache("image_cache_max_size = -1")).hasMessageContaining("image_cache_max_size");
        assertThatThrownBy(() -> cache("image_cache_prefetch_delay = soon")).hasMessageContaining("image_cache_prefetch_delay");
        assertThatThrownBy(() -> cache("image_cache_prefetch_delay = -1")).hasMessageContaining("image_cache_prefetch_delay");
    }
}
