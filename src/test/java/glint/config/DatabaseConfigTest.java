package glint.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.config.GlintConfig.DatabaseConfig;
import glint.testing.DatabaseNeutral;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code [database] pool_timeout}: oslo.db's name, the bound on a request's wait for the database. */
@DatabaseNeutral
class DatabaseConfigTest {
    private static DatabaseConfig database(String... lines) {
        return ConfigLoader.fromIni(IniFile.parse(List.of(lines), "test"), Map.of("data-dir", "/srv/glint"), Map.of())
                .database();
    }

    @Test
    void aFewSecondsByDefaultNotHikariCpsThirty() {
        assertThat(database().poolTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void wholeSecondsOfAtLeastOne() {
        assertThat(database("[database]", "pool_timeout = 2").poolTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(() -> database("[database]", "pool_timeout = 0")).hasMessageContaining("pool_timeout");
        assertThatThrownBy(() -> database("[database]", "pool_timeout = 1.5")).hasMessageContaining("pool_timeout");
    }
}
