package glint.config;

import glint.config.GlintConfig.ConversionConfig;
import glint.config.GlintConfig.ImportPluginsConfig;
import glint.config.GlintConfig.InjectMetadataConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of Glance's import plugins: {@code [image_import_opts] image_import_plugins} (glance/async_/flows/
 * api_image_import.py), {@code [image_conversion]} (plugins/image_conversion.py, with Glint's qemu-img limits) and
 * {@code [inject_metadata_properties]} (plugins/inject_image_metadata.py). The plugin names are checked where the
 * plugins are built ({@code glint.image.imports.plugins.ImportPlugins}): an unknown one refuses to start.
 */
final class ImportPluginOptions {
    /** Glance's choices for {@code [image_conversion] output_format}. */
    static final List<String> OUTPUT_FORMATS = List.of("qcow2", "raw", "vmdk");
    /** Glance's {@code inject} help: "Key characters length should be <= 255". */
    static final int MAX_KEY = 255;

    private ImportPluginOptions() {}

    static ImportPluginsConfig read(IniFile ini) {
        List<String> names = ConfigLoader.osloList(ini.get("image_import_opts", "image_import_plugins").orElse(""));
        return new ImportPluginsConfig(names, conversion(ini), inject(ini));
    }

    private static ConversionConfig conversion(IniFile ini) {
        String s = "image_conversion";
        String output = ini.get(s, "output_format").orElse("raw").strip();
        if (!OUTPUT_FORMATS.contains(output)) {
            throw new IllegalArgumentException("[image_conversion] output_format: expected one of "
                    + String.join(", ", OUTPUT_FORMATS) + ", got '" + output + "'");
        }
        String qemuImg = ini.get(s, "qemu_img").orElse("qemu-img").strip();
        if (qemuImg.isEmpty()) {
            throw new IllegalArgumentException("[image_conversion] qemu_img must name a program");
        }
        return new ConversionConfig(output, qemuImg,
                positive(s + ".address_space", ConfigLoader.longValue(s + ".address_space",
                        ini.get(s, "address_space").orElse(String.valueOf(1L << 30)))),
                (int) positive(s + ".info_cpu_time", ConfigLoader.intValue(s + ".info_cpu_time",
                        ini.get(s, "info_cpu_time").orElse("2"))),
                seconds(s + ".info_timeout", ini.get(s, "info_timeout").orElse("60")),
                (int) positive(s + ".convert_cpu_time", ConfigLoader.intValue(s + ".convert_cpu_time",
                        ini.get(s, "convert_cpu_time").orElse("3600"))),
                seconds(s + ".convert_timeout", ini.get(s, "convert_timeout").orElse("7200")));
    }

    private static InjectMetadataConfig inject(IniFile ini) {
        String s = "inject_metadata_properties";
        return new InjectMetadataConfig(ConfigLoader.osloList(ini.get(s, "ignore_user_roles").orElse("admin")),
                dict(s + ".inject", ini.get(s, "inject").orElse("")));
    }

    /** oslo.config's {@code DictOpt}: {@code k1:v1,k2:v2}, each value up to the first colon's right. */
    static Map<String, String> dict(String name, String value) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : value.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int colon = pair.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException(name + ": expected key:value, got '" + pair.strip() + "'");
            }
            String key = pair.substring(0, colon).strip();
            if (key.isEmpty() || key.length() > MAX_KEY) {
                throw new IllegalArgumentException(name + ": a key must have 1 to " + MAX_KEY + " characters: '" + key + "'");
            }
            if (out.put(key, pair.substring(colon + 1).strip()) != null) {
                throw new IllegalArgumentException(name + ": key '" + key + "' is given twice");
            }
        }
        return out;
    }

    private static long positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
        return value;
    }

    private static Duration seconds(String name, String value) {
        return Duration.ofSeconds(positive(name, ConfigLoader.longValue(name, value)));
    }
}
