package glint.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.testing.DatabaseNeutral;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The healthcheck's rules without HTTP: backends, who is answered, who sees details. */
@DatabaseNeutral
class HealthcheckTest {
    private static Healthcheck of(HealthBackend... backends) {
        return new Healthcheck(List.of(backends), SourceRanges.of(List.of()), false, true);
    }

    @Test
    void healthyOnlyWhenEveryBackendIs() {
        HealthBackend ok = port -> HealthResult.ok(null);
        HealthBackend down = port -> HealthResult.down("X", null);
        assertThat(of(ok, ok).check(80).healthy()).isTrue();
        assertThat(of(ok, down).check(80).healthy()).isFalse();
        assertThat(of().check(80).healthy()).as("oslo: no backend, nothing wrong").isTrue();
    }

    @Test
    void theDatabaseBackendSaysWhyInItsDetails() {
        HealthResult r = DependencyBackends.database(() -> {
            throw new GlintException(ErrorKind.UNAVAILABLE, "unavailable", Map.of(),
                    new java.sql.SQLTransientConnectionException("glint-db - Connection is not available",
                            "08001", new java.net.ConnectException("Connection refused")));
        }).check(9292);
        assertThat(r.available()).isFalse();
        assertThat(r.reason()).isEqualTo("DATABASE UNAVAILABLE");
        assertThat(r.details()).contains("Connection refused");
        assertThat(DependencyBackends.database(() -> { }).check(9292).available()).isTrue();
    }

    @Test
    void disableByFilesPortsLooksAtThePortTheRequestCameIn(@TempDir Path dir) throws Exception {
        Path api = dir.resolve("api");
        Files.createFile(api);
        HealthBackend b = FileBackends.disableByFilesPorts(Map.of(9292, api, 9293, dir.resolve("other")));
        assertThat(b.check(9292).reason()).isEqualTo("DISABLED BY FILE");
        assertThat(b.check(9293).reason()).isEqualTo("OK");
        assertThat(b.check(1234).reason()).isEqualTo("OK");
        assertThat(FileBackends.disableByFile(Optional.empty()).check(1).details())
                .isEqualTo("No 'disable_by_file_path' configuration value specified");
    }

    @Test
    void detailsOnlyWhenConfiguredAndOnlyForAdmins() {
        assertThat(of().showsDetailsTo(true)).isTrue();
        assertThat(of().showsDetailsTo(false)).isFalse();
        assertThat(new Healthcheck(List.of(), SourceRanges.of(List.of()), false, false).showsDetailsTo(true)).isFalse();
    }

    @Test
    void sourceRangesAreNetworks() throws Exception {
        SourceRanges r = SourceRanges.of(List.of("10.0.0.0/8", "192.168.1.7", "fd00::/8"));
        assertThat(r.allows(InetAddress.getByName("10.200.3.4"))).isTrue();
        assertThat(r.allows(InetAddress.getByName("11.0.0.1"))).isFalse();
        assertThat(r.allows(InetAddress.getByName("192.168.1.7"))).isTrue();
        assertThat(r.allows(InetAddress.getByName("192.168.1.8"))).isFalse();
        assertThat(r.allows(InetAddress.getByName("fd12::1"))).isTrue();
        assertThat(r.allows(InetAddress.getByName("::1"))).isFalse();
        assertThat(SourceRanges.of(List.of("172.16.0.0/12")).allows(InetAddress.getByName("172.31.255.255"))).isTrue();
        assertThat(SourceRanges.of(List.of("172.16.0.0/12")).allows(InetAddress.getByName("172.32.0.0"))).isFalse();
        assertThat(SourceRanges.of(List.of()).allows(InetAddress.getByName("203.0.113.1"))).isTrue();
        assertThatThrownBy(() -> SourceRanges.of(List.of("example.org/8"))).hasMessageContaining("not a network");
        assertThatThrownBy(() -> SourceRanges.of(List.of("10.0.0.0/33"))).hasMessageContaining("prefix");
    }

    @Test
    void proxiedRequestsAreNotAnsweredWhenAskedToIgnoreThem() throws Exception {
        Healthcheck h = new Healthcheck(List.of(), SourceRanges.of(List.of()), true, false);
        InetAddress local = InetAddress.getLoopbackAddress();
        assertThat(h.answers(local, name -> false)).isTrue();
        assertThat(h.answers(local, name -> name.equals("X-Forwarded-Proto"))).isFalse();
    }
}
