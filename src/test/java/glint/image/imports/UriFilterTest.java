package glint.image.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.config.GlintConfig.ImportFilterConfig;
import glint.testing.DatabaseNeutral;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The web-download filter (Glance's import_filtering_opts and Debian's SSRF fixes), with a fake resolver: no DNS. */
@DatabaseNeutral
class UriFilterTest {
    private static final Map<String, String> DNS = Map.of(
            "images.example.org", "203.0.113.7",
            "sneaky.example.org", "127.0.0.1",
            "metadata.example.org", "169.254.169.254",
            "internal.example.org", "10.1.2.3",
            "mapped.example.org", "::ffff:127.0.0.1");

    private static UriFilter filter(List<String> allowedHosts, List<String> disallowedHosts, List<Integer> allowedPorts) {
        return new UriFilter(new ImportFilterConfig(List.of("http", "https"), List.of(), allowedHosts, disallowedHosts,
                allowedPorts, List.of()), host -> {
                    String ip = DNS.get(host);
                    if (ip == null && !host.matches("[0-9.:a-f]+")) {
                        throw new UnknownHostException(host);
                    }
                    return List.of(InetAddress.getByName(ip == null ? host : ip));
                });
    }

    private static final UriFilter DEFAULTS = filter(List.of(), List.of(), List.of(80, 443));

    @Test
    void anUnresolvableHostPassesTheRequestTimeCheckAndFailsWhenFetched() throws Exception {
        // Tempest 33 expects 202 and a failed task for http://does-not.exist/…; the lookup happens in the task
        URI uri = DEFAULTS.check("http://does-not.exist/no/possible/way");
        assertThatThrownBy(() -> DEFAULTS.resolve(uri)).isInstanceOf(UriFilter.Refused.class)
                .hasMessageContaining("failed to resolve");
    }

    @Test
    void namesThatResolveToLoopbackOrLinkLocalAreRefusedAtFetchTime() throws Exception {
        for (String host : List.of("sneaky.example.org", "metadata.example.org", "mapped.example.org")) {
            URI uri = DEFAULTS.check("http://" + host + "/x");
            assertThatThrownBy(() -> DEFAULTS.resolve(uri)).as(host).isInstanceOf(UriFilter.Refused.class)
                    .hasMessageContaining("no allowed addresses");
        }
        assertThat(DEFAULTS.resolve(DEFAULTS.check("http://images.example.org/x")).getHostAddress()).isEqualTo("203.0.113.7");
        assertThat(DEFAULTS.resolve(DEFAULTS.check("https://internal.example.org/x")).getHostAddress())
                .as("private networks are allowed, as in Glance").isEqualTo("10.1.2.3");
    }

    @Test
    void loopbackAndLinkLocalLiteralsAreRefusedAtOnce() {
        for (String uri : List.of("http://127.0.0.1/x", "http://169.254.169.254/latest", "http://[::1]/x", "http://0.0.0.0/x")) {
            assertThatThrownBy(() -> DEFAULTS.check(uri)).as(uri).isInstanceOf(UriFilter.Refused.class);
        }
    }

    @Test
    void encodedIpv4FormsAreRefused() {
        for (String uri : List.of("http://2130706433/x", "http://127.1/x", "http://0x7f000001/x", "http://0177.0.0.1/x",
                "http://0x7f.0.0.1/x")) {
            assertThatThrownBy(() -> DEFAULTS.check(uri)).as(uri).isInstanceOf(UriFilter.Refused.class)
                    .hasMessageContaining("host not allowed");
        }
    }

    @Test
    void schemesAndPortsFollowTheLists() throws Exception {
        for (String uri : List.of("ftp://images.example.org/x", "file:///etc/passwd", "images.example.org/x",
                "http://images.example.org:8080/x")) {
            assertThatThrownBy(() -> DEFAULTS.check(uri)).as(uri).isInstanceOf(UriFilter.Refused.class);
        }
        assertThat(DEFAULTS.check("http://images.example.org:443/x")).isNotNull();
        UriFilter anyPort = filter(List.of(), List.of(), List.of());
        assertThat(anyPort.check("http://images.example.org:8080/x")).isNotNull();
    }

    @Test
    void allowedHostsAdmitsLoopbackAndMakesTheDenyListIgnored() throws Exception {
        UriFilter f = filter(List.of("127.0.0.1"), List.of("127.0.0.1"), List.of(18080));
        assertThat(f.resolve(f.check("http://127.0.0.1:18080/img")).isLoopbackAddress()).isTrue();
        assertThatThrownBy(() -> f.check("http://images.example.org:18080/x")).hasMessageContaining("host not allowed");
    }

    @Test
    void disallowedHostsBlockNamesAndAddresses() throws Exception {
        UriFilter f = filter(List.of(), List.of("images.example.org", "10.1.2.3"), List.of(80));
        assertThatThrownBy(() -> f.check("http://images.example.org/x")).hasMessageContaining("host not allowed");
        URI internal = f.check("http://internal.example.org/x");
        assertThatThrownBy(() -> f.resolve(internal)).hasMessageContaining("no allowed addresses");
    }
}
