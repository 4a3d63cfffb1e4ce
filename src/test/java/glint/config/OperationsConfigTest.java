package glint.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.config.GlintConfig.OperationsConfig;
import glint.testing.DatabaseNeutral;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code [healthcheck]} (oslo.middleware's options), {@code [metrics]}, and oslo.log's {@code use_json}, {@code debug}. */
@DatabaseNeutral
class OperationsConfigTest {
    private static OperationsConfig load(String... lines) {
        return ConfigLoader.fromIni(IniFile.parse(List.of(lines), "test"), Map.of("data-dir", "/srv/glint"), Map.of())
                .operations();
    }

    @Test
    void defaultsAreGlancesPasteFileAndNoMetrics() {
        OperationsConfig c = load();
        assertThat(c.healthcheck().backends()).containsExactly("disable_by_file");
        assertThat(c.healthcheck().disableByFilePath()).isEmpty();
        assertThat(c.healthcheck().detailed()).isFalse();
        assertThat(c.metrics().enabled()).isFalse();
        assertThat(c.metrics().bindHost()).isEqualTo("127.0.0.1");
        assertThat(c.metrics().bindPort()).isEqualTo(9293);
        assertThat(c.log().useJson()).isFalse();
        assertThat(c.log().configAppend()).isEmpty();
    }

    @Test
    void osloOptionsAsGlanceApiConfWritesThem() {
        OperationsConfig c = load("use_json = true", "debug = true", "[healthcheck]",
                "backends = [disable_by_files_ports, database, stores]", "detailed = True",
                "disable_by_file_paths = 9292:/etc/glance/healthcheck_disable, 9293:/tmp/a:b",
                "allowed_source_ranges = 10.0.0.0/8", "ignore_proxied_requests = true",
                "[metrics]", "enabled = true", "bind_host = 0.0.0.0", "bind_port = 9102");
        assertThat(c.healthcheck().backends()).containsExactly("disable_by_files_ports", "database", "stores");
        assertThat(c.healthcheck().detailed()).isTrue();
        assertThat(c.healthcheck().disableByFilePaths()).containsEntry(9292, Path.of("/etc/glance/healthcheck_disable"))
                .containsEntry(9293, Path.of("/tmp/a:b"));
        assertThat(c.healthcheck().allowedSourceRanges()).containsExactly("10.0.0.0/8");
        assertThat(c.healthcheck().ignoreProxiedRequests()).isTrue();
        assertThat(c.metrics().enabled()).isTrue();
        assertThat(c.metrics().bindHost()).isEqualTo("0.0.0.0");
        assertThat(c.metrics().bindPort()).isEqualTo(9102);
        assertThat(c.log().useJson()).isTrue();
        assertThat(c.log().debug()).isTrue();
    }

    @Test
    void unknownBackendsAndOslosForbiddenPairStopTheStart() {
        assertThatThrownBy(() -> load("[healthcheck]", "backends = disable_by_file, http_check"))
                .hasMessageContaining("unknown backend 'http_check'");
        assertThatThrownBy(() -> load("[healthcheck]", "backends = disable_by_file, enable_by_files"))
                .hasMessageContaining("should not be enabled at the same time");
        assertThatThrownBy(() -> load("[healthcheck]", "disable_by_file_paths = /no/port"))
                .hasMessageContaining("expected port:path");
        assertThatThrownBy(() -> load("[metrics]", "bind_port = 70000")).hasMessageContaining("bind_port");
        assertThatThrownBy(() -> load("[metrics]", "enabled = sometimes")).hasMessageContaining("metrics.enabled");
    }
}
