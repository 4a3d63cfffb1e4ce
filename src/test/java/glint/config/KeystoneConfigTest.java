package glint.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.config.GlintConfig.KeystoneAuthtoken;
import glint.testing.DatabaseNeutral;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code [identity] mode} and keystonemiddleware's {@code [keystone_authtoken]} options. */
@DatabaseNeutral
class KeystoneConfigTest {
    private static GlintConfig load(String... lines) {
        return ConfigLoader.fromIni(IniFile.parse(List.of(lines), "test"), Map.of("data-dir", "/tmp/glint-config-test"), Map.of());
    }

    @Test
    void builtinIsTheDefault() {
        assertThat(load().identity().keystoneMode()).isFalse();
        assertThat(load("[keystone_authtoken]", "auth_url = http://k:5000").identity().keystoneMode())
                .as("the section alone does not switch the mode").isFalse();
    }

    @Test
    void keystoneModeReadsGlancesSection() {
        KeystoneAuthtoken k = load("[identity]", "mode = keystone", "[keystone_authtoken]",
                "auth_url = http://k:5000/", "auth_type = password", "username = glance", "password = s3cret",
                "project_name = service", "service_token_roles = service, admin", "service_token_roles_required = true",
                "http_connect_timeout = 3").identity().keystone().orElseThrow();
        assertThat(k.authUrl()).isEqualTo("http://k:5000");
        assertThat(k.wwwAuthenticateUri()).as("defaults to auth_url").isEqualTo("http://k:5000");
        assertThat(k.username()).isEqualTo("glance");
        assertThat(k.password()).isEqualTo("s3cret");
        assertThat(k.projectName()).isEqualTo("service");
        assertThat(k.userDomainName()).isEqualTo("Default");
        assertThat(k.projectDomainName()).isEqualTo("Default");
        assertThat(k.tokenCacheTime()).as("keystonemiddleware's default").isEqualTo(Duration.ofSeconds(300));
        assertThat(k.serviceTokenRoles()).isEqualTo(Set.of("service", "admin"));
        assertThat(k.serviceTokenRolesRequired()).isTrue();
        assertThat(k.httpConnectTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void tokenCacheTimeMinusOneTurnsTheCacheOff() {
        KeystoneAuthtoken k = load("[identity]", "mode = keystone", "[keystone_authtoken]", "auth_url = http://k:5000",
                "username = g", "password = p", "project_name = service", "token_cache_time = -1")
                .identity().keystone().orElseThrow();
        assertThat(k.tokenCacheTime()).isEqualTo(Duration.ZERO);
    }

    @Test
    void missingOrWrongOptionsStopTheStart() {
        assertThatThrownBy(() -> load("[identity]", "mode = keystone", "[keystone_authtoken]", "username = g"))
                .hasMessage("[keystone_authtoken] auth_url is required with [identity] mode = keystone");
        assertThatThrownBy(() -> load("[identity]", "mode = keystone", "[keystone_authtoken]", "auth_url = http://k",
                "auth_type = v3token", "username = g", "password = p", "project_name = s"))
                .hasMessageContaining("only 'password' is supported");
        assertThatThrownBy(() -> load("[identity]", "mode = keystne"))
                .hasMessage("[identity] mode: expected builtin or keystone, got 'keystne'");
    }
}
