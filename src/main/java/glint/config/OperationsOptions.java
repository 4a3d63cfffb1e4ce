package glint.config;

import glint.config.GlintConfig.HealthcheckConfig;
import glint.config.GlintConfig.LogConfig;
import glint.config.GlintConfig.MetricsConfig;
import glint.config.GlintConfig.OperationsConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an operator runs Glint with beside the API. {@code [healthcheck]}: oslo.middleware's options
 * (oslo_middleware/healthcheck/opts.py) with the backends Glance's paste file names ({@code disable_by_file}) by
 * default; {@code [metrics]}: Glint's own; {@code [DEFAULT] use_json}, {@code debug}, {@code log_config_append}:
 * oslo.log's names.
 */
final class OperationsOptions {
    /** oslo.middleware's backends and Glint's own, by the names {@code [healthcheck] backends} takes. */
    static final List<String> BACKENDS = List.of("disable_by_file", "disable_by_files_ports", "enable_by_files", "database",
            "stores");
    static final int DEFAULT_METRICS_PORT = 9293;

    private OperationsOptions() {}

    static OperationsConfig read(IniFile ini) {
        return new OperationsConfig(healthcheck(ini), metrics(ini), log(ini));
    }

    private static HealthcheckConfig healthcheck(IniFile ini) {
        String s = "healthcheck";
        List<String> backends = ConfigLoader.osloList(ini.get(s, "backends").orElse("disable_by_file"));
        for (String b : backends) {
            if (!BACKENDS.contains(b)) {
                throw new IllegalArgumentException("[healthcheck] backends: unknown backend '" + b + "' (known: "
                        + String.join(", ", BACKENDS) + ")");
            }
        }
        if (backends.contains("disable_by_file") && backends.contains("enable_by_files")) {
            // oslo.middleware's ConfigInvalid
            throw new IllegalArgumentException("[healthcheck] backends: `enable_by_files` plugin and `disable_by_file` "
                    + "plugin should not be enabled at the same time.");
        }
        // the networks are parsed where they are used (glint.health.SourceRanges): a bad one stops the start there
        List<String> ranges = ConfigLoader.osloList(ini.get(s, "allowed_source_ranges").orElse(""));
        return new HealthcheckConfig(List.copyOf(backends),
                ConfigLoader.bool(s + ".detailed", ini.get(s, "detailed").orElse("false")),
                ini.get(s, "disable_by_file_path").filter(p -> !p.isBlank()).map(Path::of),
                portPaths(ConfigLoader.osloList(ini.get(s, "disable_by_file_paths").orElse(""))),
                ConfigLoader.osloList(ini.get(s, "enable_by_file_paths").orElse("")).stream().map(Path::of).toList(),
                ranges,
                ConfigLoader.bool(s + ".ignore_proxied_requests", ini.get(s, "ignore_proxied_requests").orElse("false")));
    }

    /** oslo.middleware's {@code port:path} list (the path may hold colons). */
    private static Map<Integer, Path> portPaths(List<String> entries) {
        Map<Integer, Path> out = new LinkedHashMap<>();
        for (String e : entries) {
            int colon = e.indexOf(':');
            if (colon <= 0 || colon == e.length() - 1) {
                throw new IllegalArgumentException("[healthcheck] disable_by_file_paths: expected port:path, got '" + e + "'");
            }
            out.put(ConfigLoader.intValue("healthcheck.disable_by_file_paths", e.substring(0, colon)),
                    Path.of(e.substring(colon + 1).strip()));
        }
        return Map.copyOf(out);
    }

    private static MetricsConfig metrics(IniFile ini) {
        String s = "metrics";
        int port = ConfigLoader.intValue(s + ".bind_port", ini.get(s, "bind_port").orElse(String.valueOf(DEFAULT_METRICS_PORT)));
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("[metrics] bind_port: 0 to 65535, not " + port);
        }
        return new MetricsConfig(ConfigLoader.bool(s + ".enabled", ini.get(s, "enabled").orElse("false")),
                ini.get(s, "bind_host").orElse("127.0.0.1").strip(), port);
    }

    private static LogConfig log(IniFile ini) {
        return new LogConfig(ConfigLoader.bool("use_json", ini.get("DEFAULT", "use_json").orElse("false")),
                ConfigLoader.bool("debug", ini.get("DEFAULT", "debug").orElse("false")),
                ini.get("DEFAULT", "log_config_append").filter(p -> !p.isBlank()).map(Path::of));
    }
}
