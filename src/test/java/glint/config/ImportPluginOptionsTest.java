package glint.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.testing.DatabaseNeutral;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code [image_import_opts]}, {@code [image_conversion]} and {@code [inject_metadata_properties]}. */
@DatabaseNeutral
class ImportPluginOptionsTest {
    private static GlintConfig.ImportPluginsConfig read(String... lines) {
        return ImportPluginOptions.read(IniFile.parse(List.of(lines), "test"));
    }

    @Test
    void defaultsAreGlancesWithGlintsLimits() {
        GlintConfig.ImportPluginsConfig c = read();
        assertThat(c.names()).isEmpty();
        assertThat(c.conversion()).isEqualTo(new GlintConfig.ConversionConfig("raw", "qemu-img", 1L << 30, 2,
                Duration.ofSeconds(60), 3600, Duration.ofSeconds(7200)));
        assertThat(c.inject().ignoreUserRoles()).containsExactly("admin");
        assertThat(c.inject().inject()).isEmpty();
    }

    @Test
    void theListsAndTheDictionaryInOsloSyntax() {
        GlintConfig.ImportPluginsConfig c = read("[image_import_opts]",
                "image_import_plugins = ['image_decompression', \"image_conversion\"]",
                "[inject_metadata_properties]", "ignore_user_roles = admin, reader", "inject = k1:v1, k2 : v:2 ,");
        assertThat(c.names()).containsExactly("image_decompression", "image_conversion");
        assertThat(c.inject().ignoreUserRoles()).containsExactly("admin", "reader");
        assertThat(c.inject().inject()).isEqualTo(Map.of("k1", "v1", "k2", "v:2"));
    }

    @Test
    void badValuesRefuseToStart() {
        assertThatThrownBy(() -> read("[image_conversion]", "output_format = vhd"))
                .hasMessage("[image_conversion] output_format: expected one of qcow2, raw, vmdk, got 'vhd'");
        assertThatThrownBy(() -> read("[image_conversion]", "address_space = 0"))
                .hasMessage("image_conversion.address_space must be positive: 0");
        assertThatThrownBy(() -> read("[inject_metadata_properties]", "inject = novalue"))
                .hasMessage("inject_metadata_properties.inject: expected key:value, got 'novalue'");
        assertThatThrownBy(() -> read("[inject_metadata_properties]", "inject = " + "k".repeat(256) + ":v"))
                .hasMessageContaining("a key must have 1 to 255 characters");
    }
}
