package glint.config;

import glint.config.GlintConfig.CacheConfig;
import glint.config.GlintConfig.DatabaseConfig;
import glint.config.GlintConfig.IdentityConfig;
import glint.config.GlintConfig.ImagesConfig;
import glint.config.GlintConfig.KeystoneAuthtoken;
import glint.config.GlintConfig.ServerConfig;
import glint.config.GlintConfig.StoreConfig;
import glint.config.GlintConfig.StoresConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds {@link GlintConfig} from, in rising precedence: built-in defaults, the INI file ({@code --config} /
 * {@code GLINT_CONFIG}), environment variables, command-line flags. Option names follow Glance's where Glance has one.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /** Flags already parsed from the command line: {@code port}, {@code data-dir}, {@code config}, {@code host}. */
    public static GlintConfig load(Map<String, String> flags, Map<String, String> env) throws IOException {
        Optional<String> configPath = first(flags.get("config"), env.get("GLINT_CONFIG"));
        IniFile ini = configPath.isPresent() ? IniFile.read(Path.of(configPath.get())) : IniFile.empty();
        return fromIni(ini, flags, env);
    }

    public static GlintConfig fromIni(IniFile ini, Map<String, String> flags, Map<String, String> env) {
        Path dataDir = Path.of(first(flags.get("data-dir"), env.get("GLINT_DATA_DIR"), ini.get("DEFAULT", "data_dir").orElse(null))
                .orElse("./data")).toAbsolutePath().normalize();
        String host = first(flags.get("host"), env.get("GLINT_HOST"), ini.get("DEFAULT", "bind_host").orElse(null)).orElse("127.0.0.1");
        int port = intValue("port", first(flags.get("port"), env.get("GLINT_PORT"), ini.get("DEFAULT", "bind_port").orElse(null)).orElse("9292"));
        ServerConfig server = new ServerConfig(host, port, ini.get("DEFAULT", "public_endpoint").map(ConfigLoader::stripSlash),
                connections(ini));

        String defaultDb = "jdbc:sqlite:" + dataDir.resolve("glint.db");
        // a JDBC URL or the SQLAlchemy URL of glance-api.conf; its credentials count as [database] user/password
        DatabaseUrls.Jdbc jdbc = DatabaseUrls.toJdbc(
                first(env.get("GLINT_DATABASE_URL"), ini.get("database", "connection").orElse(null)).orElse(defaultDb));
        DatabaseConfig database = new DatabaseConfig(
                jdbc.url(),
                first(env.get("GLINT_DATABASE_USER"), ini.get("database", "user").orElse(null), jdbc.user().orElse(null)).orElse(""),
                first(env.get("GLINT_DATABASE_PASSWORD"), ini.get("database", "password").orElse(null),
                        jdbc.password().orElse(null)).orElse(""),
                intValue("database.max_pool_size", ini.get("database", "max_pool_size").orElse("10")),
                poolTimeout(ini.get("database", "pool_timeout")));

        ImagesConfig images = new ImagesConfig(
                longValue("image_size_cap", ini.get("DEFAULT", "image_size_cap").orElse("1099511627776")),
                intValue("limit_param_default", ini.get("DEFAULT", "limit_param_default").orElse("25")),
                intValue("api_limit_max", ini.get("DEFAULT", "api_limit_max").orElse("1000")),
                ini.get("DEFAULT", "hashing_algorithm").orElse("sha512"),
                list(ini.get("image_format", "disk_formats").orElse("ami,ari,aki,vhd,vhdx,vmdk,raw,qcow2,vdi,iso,ploop")),
                list(ini.get("image_format", "container_formats").orElse("ami,ari,aki,bare,ovf,ova,docker,compressed")),
                intValue("image_property_quota", ini.get("DEFAULT", "image_property_quota").orElse("128")),
                intValue("image_tag_quota", ini.get("DEFAULT", "image_tag_quota").orElse("128")),
                intValue("image_member_quota", ini.get("DEFAULT", "image_member_quota").orElse("128")));

        String mode = ini.get("identity", "mode").orElse("builtin").strip();
        if (!mode.equals("builtin") && !mode.equals("keystone")) {
            throw new IllegalArgumentException("[identity] mode: expected builtin or keystone, got '" + mode + "'");
        }
        IdentityConfig identity = new IdentityConfig(
                mode,
                Duration.ofSeconds(longValue("identity.token_expiration", ini.get("identity", "token_expiration").orElse("3600"))),
                ini.get("identity", "region").orElse("RegionOne"),
                first(env.get("GLINT_ADMIN_PASSWORD"), ini.get("identity", "admin_password").orElse(null)),
                intValue("identity.password_hash_rounds", ini.get("identity", "password_hash_rounds")
                        .orElse("210000")),
                mode.equals("keystone") ? Optional.of(keystoneAuthtoken(ini)) : Optional.empty(),
                // Keystone's [security_compliance]: no lockout unless lockout_failure_attempts is set; 1800 s
                intValue("security_compliance.lockout_failure_attempts",
                        ini.get("security_compliance", "lockout_failure_attempts").orElse("0")),
                Duration.ofSeconds(longValue("security_compliance.lockout_duration",
                        ini.get("security_compliance", "lockout_duration").orElse("1800"))));

        Optional<Path> policyFile = ini.get("oslo_policy", "policy_file").map(Path::of);
        Optional<GlintConfig.PropertyProtectionConfig> protection = ini.get("DEFAULT", "property_protection_file")
                .map(f -> new GlintConfig.PropertyProtectionConfig(Path.of(f),
                        ini.get("DEFAULT", "property_protection_rule_format").orElse("roles")));
        return new GlintConfig(server, database, stores(ini, dataDir), images, identity, policyFile, protection, dataDir,
                cache(ini, dataDir), imports(ini, dataDir), imageFormat(ini), OperationsOptions.read(ini),
                NotificationOptions.read(ini), locations(ini), QuotaOptions.read(ini, identity), cluster(ini),
                scrub(ini));
    }

    private static GlintConfig.ConnectionsConfig connections(IniFile ini) {
        GlintConfig.ConnectionsConfig d = GlintConfig.ConnectionsConfig.DEFAULTS;
        GlintConfig.ConnectionsConfig c = new GlintConfig.ConnectionsConfig(
                Duration.ofSeconds(longValue("client_socket_timeout", ini.get("DEFAULT", "client_socket_timeout")
                        .orElse(Long.toString(d.clientSocketTimeout().toSeconds())))),
                intValue("max_header_line", ini.get("DEFAULT", "max_header_line").orElse(Integer.toString(d.maxHeaderLine()))),
                intValue("oslo_middleware.max_request_body_size", ini.get("oslo_middleware", "max_request_body_size")
                        .orElse(Integer.toString(d.maxRequestBodySize()))),
                intValue("wsgi.max_connections", ini.get("wsgi", "max_connections").orElse(Integer.toString(d.maxConnections()))),
                Duration.ofSeconds(longValue("wsgi.header_timeout", ini.get("wsgi", "header_timeout")
                        .orElse(Long.toString(d.headerTimeout().toSeconds())))),
                longValue("wsgi.min_request_data_rate", ini.get("wsgi", "min_request_data_rate")
                        .orElse(Long.toString(d.minRequestDataRate()))));
        if (c.maxConnections() < 1 || c.headerTimeout().isNegative() || c.headerTimeout().isZero()
                || c.maxRequestBodySize() < 1 || c.minRequestDataRate() < 0 || c.clientSocketTimeout().isNegative()) {
            throw new IllegalArgumentException("[wsgi] max_connections, header_timeout and [oslo_middleware] "
                    + "max_request_body_size must be positive, min_request_data_rate and client_socket_timeout not negative");
        }
        return c;
    }

    private static GlintConfig.ClusterConfig cluster(IniFile ini) {
        long lease = longValue("cluster.node_lease_time", ini.get("cluster", "node_lease_time")
                .orElse(Long.toString(GlintConfig.ClusterConfig.DEFAULT_NODE_LEASE_TIME.toSeconds())));
        if (lease < 3) {
            throw new IllegalArgumentException("[cluster] node_lease_time: at least 3 (seconds), got " + lease);
        }
        return new GlintConfig.ClusterConfig(Duration.ofSeconds(lease),
                bool("cluster.shared_staging", ini.get("cluster", "shared_staging").orElse("false")));
    }

    /** Glance's {@code delayed_delete}, {@code scrub_time}, {@code wakeup_time} and {@code scrub_pool_size}. */
    private static GlintConfig.ScrubConfig scrub(IniFile ini) {
        long scrubTime = longValue("scrub_time", ini.get("DEFAULT", "scrub_time").orElse("0"));
        long wakeup = longValue("wakeup_time", ini.get("DEFAULT", "wakeup_time").orElse("300"));
        int pool = intValue("scrub_pool_size", ini.get("DEFAULT", "scrub_pool_size").orElse("1"));
        if (scrubTime < 0 || wakeup < 0 || pool < 1) {
            throw new IllegalArgumentException("scrub_time and wakeup_time must not be negative, scrub_pool_size must be "
                    + "at least 1");
        }
        return new GlintConfig.ScrubConfig(bool("delayed_delete", ini.get("DEFAULT", "delayed_delete").orElse("false")),
                Duration.ofSeconds(scrubTime), Duration.ofSeconds(wakeup), pool);
    }

    private static GlintConfig.LocationsConfig locations(IniFile ini) {
        return new GlintConfig.LocationsConfig(
                bool("show_multiple_locations", ini.get("DEFAULT", "show_multiple_locations").orElse("false")),
                bool("show_image_direct_url", ini.get("DEFAULT", "show_image_direct_url").orElse("false")),
                intValue("image_location_quota", ini.get("DEFAULT", "image_location_quota").orElse("10")),
                bool("do_secure_hash", ini.get("DEFAULT", "do_secure_hash").orElse("true")));
    }

    private static GlintConfig.ImageFormatConfig imageFormat(IniFile ini) {
        String s = "image_format";
        return new GlintConfig.ImageFormatConfig(
                bool(s + ".inspect_content", ini.get(s, "inspect_content").orElse("true")),
                bool(s + ".require_image_format_match", ini.get(s, "require_image_format_match").orElse("true")),
                osloList(ini.get(s, "gpt_safety_checks_nonfatal").orElse("")),
                osloList(ini.get(s, "vmdk_allowed_types").orElse("streamOptimized,monolithicSparse")));
    }

    /** Import options; list values may be written oslo-style, {@code [a, b]}, with or without quotes. */
    private static GlintConfig.ImportConfig imports(IniFile ini, Path dataDir) {
        // Glance's staging store: [os_glance_staging_store] filesystem_store_datadir (multi-store), else node_staging_uri
        String staging = ini.get("os_glance_staging_store", "filesystem_store_datadir")
                .map(d -> Path.of(d).toAbsolutePath().normalize().toUri().toString())
                .or(() -> ini.get("DEFAULT", "node_staging_uri"))
                .orElse(dataDir.resolve("staging").toUri().toString());
        if (!staging.startsWith("file://")) {
            throw new IllegalArgumentException("node_staging_uri: only file:// is supported, got '" + staging + "'");
        }
        String f = "import_filtering_opts";
        GlintConfig.ImportFilterConfig filter = new GlintConfig.ImportFilterConfig(
                osloList(ini.get(f, "allowed_schemes").orElse("http,https")),
                osloList(ini.get(f, "disallowed_schemes").orElse("")),
                osloList(ini.get(f, "allowed_hosts").orElse("")),
                osloList(ini.get(f, "disallowed_hosts").orElse("")),
                osloList(ini.get(f, "allowed_ports").orElse("80,443")).stream().map(p -> intValue(f + ".allowed_ports", p)).toList(),
                osloList(ini.get(f, "disallowed_ports").orElse("")).stream().map(p -> intValue(f + ".disallowed_ports", p)).toList());
        return new GlintConfig.ImportConfig(
                osloList(ini.get("DEFAULT", "enabled_import_methods").orElse("glance-direct,web-download,copy-image")),
                Path.of(java.net.URI.create(staging.replace("file:///", "file:/"))),
                intValue("wsgi.task_pool_threads", ini.get("wsgi", "task_pool_threads").orElse("16")),
                Duration.ofHours(longValue("task.task_time_to_live", ini.get("task", "task_time_to_live").orElse("48"))),
                filter,
                osloList(ini.get("glance_download_properties", "extra_properties")
                        .orElse("hw_,trait:,os_distro,os_secure_boot,os_type")),
                ImportPluginOptions.read(ini));
    }

    static List<String> osloList(String value) {
        String v = value.strip();
        if (v.startsWith("[") && v.endsWith("]")) {
            v = v.substring(1, v.length() - 1);
        }
        return list(v).stream().map(s -> s.replaceAll("^['\"]|['\"]$", "")).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Glance serves the cache API and runs the prefetch worker when {@code image_cache_dir} is set, and serves downloads
     * from the cache with the paste flavor {@code keystone+caching} or {@code keystone+cachemanagement}. Glint has one
     * switch for all three: either the flavor (then {@code image_cache_dir} defaults to DATA_DIR/image-cache) or
     * {@code image_cache_dir}.
     */
    private static CacheConfig cache(IniFile ini, Path dataDir) {
        String flavor = ini.get("paste_deploy", "flavor").orElse("").strip();
        boolean enabled = flavor.equals("keystone+cachemanagement") || flavor.equals("keystone+caching")
                || ini.get("DEFAULT", "image_cache_dir").filter(d -> !d.isBlank()).isPresent();
        Path dir = Path.of(ini.get("DEFAULT", "image_cache_dir").orElse(dataDir.resolve("image-cache").toString()))
                .toAbsolutePath().normalize();
        long maxSize = longValue("image_cache_max_size", ini.get("DEFAULT", "image_cache_max_size").orElse("10737418240"));
        double delay;
        String delayValue = ini.get("DEFAULT", "image_cache_prefetch_delay").orElse("0");
        try {
            delay = Double.parseDouble(delayValue.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("image_cache_prefetch_delay: not a number: '" + delayValue + "'");
        }
        if (maxSize < 0) {
            throw new IllegalArgumentException("image_cache_max_size must not be negative: " + maxSize);
        }
        if (!(delay >= 0 && delay <= 3600)) {
            throw new IllegalArgumentException("image_cache_prefetch_delay must be 0 to 3600 seconds: '" + delayValue + "'");
        }
        long stall = longValue("image_cache_stall_time", ini.get("DEFAULT", "image_cache_stall_time").orElse("86400"));
        if (stall < 0) {
            throw new IllegalArgumentException("image_cache_stall_time must not be negative: " + stall);
        }
        return new CacheConfig(enabled, dir, maxSize, Duration.ofMillis(Math.round(delay * 1000)), Duration.ofSeconds(stall));
    }

    /** {@code [keystone_authtoken]}, as keystonemiddleware reads it for Glance (only the password auth plugin). */
    static KeystoneAuthtoken keystoneAuthtoken(IniFile ini) {
        String section = "keystone_authtoken";
        String authType = ini.get(section, "auth_type").orElse("password").strip();
        if (!authType.equals("password")) {
            throw new IllegalArgumentException("[keystone_authtoken] auth_type: only 'password' is supported, got '" + authType + "'");
        }
        String authUrl = stripSlash(required(ini, section, "auth_url"));
        long cacheTime = longValue("keystone_authtoken.token_cache_time", ini.get(section, "token_cache_time").orElse("300"));
        return new KeystoneAuthtoken(
                stripSlash(ini.get(section, "www_authenticate_uri").orElse(authUrl)),
                authUrl,
                required(ini, section, "username"),
                required(ini, section, "password"),
                required(ini, section, "project_name"),
                ini.get(section, "user_domain_name").orElse("Default"),
                ini.get(section, "project_domain_name").orElse("Default"),
                Duration.ofSeconds(Math.max(0, cacheTime)), // -1 turns caching off, as in keystonemiddleware
                Set.copyOf(list(ini.get(section, "service_token_roles").orElse("service"))),
                bool("keystone_authtoken.service_token_roles_required",
                        ini.get(section, "service_token_roles_required").orElse("false")),
                Duration.ofSeconds(longValue("keystone_authtoken.http_connect_timeout",
                        ini.get(section, "http_connect_timeout").orElse("10"))));
    }

    private static String required(IniFile ini, String section, String option) {
        return ini.get(section, option).filter(v -> !v.isBlank())
                .orElseThrow(() -> new IllegalArgumentException("[" + section + "] " + option + " is required with [identity] mode = keystone"));
    }

    static boolean bool(String name, String value) {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(name + ": not a boolean: '" + value + "'");
        };
    }

    /**
     * Glance's two shapes: single store ({@code [glance_store] filesystem_store_datadir}) or multi-store
     * ({@code [DEFAULT] enabled_backends = fast:file,cheap:file}, {@code [glance_store] default_backend}, one section per store).
     */
    private static StoresConfig stores(IniFile ini, Path dataDir) {
        Optional<String> enabled = ini.get("DEFAULT", "enabled_backends");
        if (enabled.isEmpty()) {
            // Glance's single store: its type is [glance_store] default_store, its options are in [glance_store]; its id
            // (what locations and journal entries name) is the type
            String type = ini.get("glance_store", "default_store").orElse("file").strip();
            Map<String, String> options = new java.util.HashMap<>(ini.section("glance_store"));
            options.values().removeIf(String::isBlank);
            options.putIfAbsent("filesystem_store_datadir", dataDir.resolve("images").toString());
            List<StoreConfig> single = new ArrayList<>(List.of(new StoreConfig(type, type, "", Map.copyOf(options))));
            // [glance_store] stores: the other stores Glance reads locations from (e.g. file, http); only http is one
            // Glint adds beside the default store
            if (osloList(ini.get("glance_store", "stores").orElse("")).contains("http") && !type.equals("http")) {
                single.add(new StoreConfig("http", "http", "", Map.of()));
            }
            return new StoresConfig(List.copyOf(single), type, false);
        }
        List<StoreConfig> stores = new ArrayList<>();
        for (String entry : list(enabled.get())) {
            String[] parts = entry.split(":", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("enabled_backends: expected name:type, got '" + entry + "'");
            }
            Map<String, String> options = new java.util.HashMap<>(ini.section(parts[0].strip()));
            if (parts[1].strip().equals("file")) {
                options.putIfAbsent("filesystem_store_datadir", dataDir.resolve("images").resolve(parts[0].strip()).toString());
            }
            stores.add(new StoreConfig(parts[0].strip(), parts[1].strip(), options.getOrDefault("store_description", ""), options));
        }
        String defaultStore = ini.get("glance_store", "default_backend")
                .orElseThrow(() -> new IllegalArgumentException("[glance_store] default_backend is required with enabled_backends"));
        if (stores.stream().noneMatch(s -> s.id().equals(defaultStore))) {
            throw new IllegalArgumentException("[glance_store] default_backend '" + defaultStore + "' is not in enabled_backends");
        }
        return new StoresConfig(List.copyOf(stores), defaultStore, true);
    }

    @SafeVarargs
    private static <T> Optional<T> first(T... values) {
        return Arrays.stream(values).filter(v -> v != null && !"".equals(v)).findFirst();
    }

    static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static List<String> list(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** oslo.db's {@code pool_timeout}, whole seconds (an IntOpt), at least 1. */
    private static Duration poolTimeout(Optional<String> value) {
        if (value.isEmpty()) {
            return DatabaseConfig.DEFAULT_POOL_TIMEOUT;
        }
        int seconds = intValue("database.pool_timeout", value.get());
        if (seconds < 1) {
            throw new IllegalArgumentException("database.pool_timeout: at least 1 second, not " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    static int intValue(String name, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": not an integer: '" + value + "'");
        }
    }

    static long longValue(String name, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": not an integer: '" + value + "'");
        }
    }
}
