package glint.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Everything Glint is configured with, as values. Built by {@link ConfigLoader}; see docs/configuration.md. */
public record GlintConfig(
        ServerConfig server,
        DatabaseConfig database,
        StoresConfig stores,
        ImagesConfig images,
        IdentityConfig identity,
        Optional<Path> policyFile,
        Optional<PropertyProtectionConfig> propertyProtection,
        Path dataDir,
        CacheConfig cache,
        ImportConfig imports,
        ImageFormatConfig imageFormat,
        OperationsConfig operations,
        NotificationsConfig notifications,
        LocationsConfig locations,
        QuotaConfig quotas,
        ClusterConfig cluster,
        ScrubConfig scrub) {

    /**
     * Quotas: Glance's {@code [DEFAULT] use_keystone_limits} (per-project unified limits read from the identity),
     * {@code user_storage_quota} in bytes (0: none; ignored when unified limits are used), and oslo.limit's
     * {@code [oslo_limit]} options: which endpoint's limits apply ({@code endpoint_id}, else the endpoint found by
     * {@code endpoint_service_type}/{@code endpoint_service_name}, {@code endpoint_region_name} and
     * {@code endpoint_interface}), and in keystone mode the credentials limits are read with (default: the
     * {@code [keystone_authtoken]} service user's; {@code limitSystemScope}: {@code [oslo_limit] system_scope = all},
     * a system-scoped token instead of the project's).
     */
    public record QuotaConfig(boolean useKeystoneLimits, long userStorageQuota, Optional<String> endpointId,
                              Optional<String> endpointServiceType, Optional<String> endpointServiceName,
                              Optional<String> endpointRegionName, String endpointInterface,
                              Optional<KeystoneAuthtoken> limitCredentials, boolean limitSystemScope) {
        public static final QuotaConfig NONE = new QuotaConfig(false, 0, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), "public", Optional.empty(), false);
    }

    /**
     * Several nodes on one database (docs/deployment.md): {@code [cluster] node_lease_time}, how long a node that
     * stopped renewing its lease is still taken for alive (its uploads and tasks are then recovered by another node);
     * {@code [cluster] shared_staging}, whether the staging directory ({@code [os_glance_staging_store]
     * filesystem_store_datadir} or {@code node_staging_uri}) is one every node sees, so that data staged through one
     * node is imported through any.
     */
    public record ClusterConfig(Duration nodeLeaseTime, boolean sharedStaging) {
        public static final Duration DEFAULT_NODE_LEASE_TIME = Duration.ofSeconds(30);
    }

    /**
     * Glance's delayed delete and scrubber options ({@code [DEFAULT]}): {@code delayed_delete}, {@code scrub_time}
     * (how long a deleted image keeps its data), {@code wakeup_time} (the in-process scrubber's period; zero: no
     * in-process scrubber, run {@code glint scrub} instead), {@code scrub_pool_size}.
     */
    public record ScrubConfig(boolean delayedDelete, Duration scrubTime, Duration wakeupTime, int poolSize) {}

    /**
     * Glance's notifications (oslo.messaging's options): {@code [oslo_messaging_notifications] driver} (none: no
     * notifications), {@code transport_url} (else {@code [DEFAULT] transport_url}), {@code topics}, {@code retry}
     * (-1: forever); {@code [DEFAULT] default_publisher_id}, {@code disabled_notifications}, {@code control_exchange}
     * (the exchange); {@code [oslo_messaging_rabbit]}; Glint's {@code [notifications] buffer_size}.
     */
    public record NotificationsConfig(List<String> drivers, String transportUrl, List<String> topics, int retry,
                                      String publisherId, List<String> disabled, String exchange, RabbitConfig rabbit,
                                      int bufferSize) {
        /** No driver, or only {@code noop}: nothing is sent, nothing is connected to. */
        public boolean off() {
            return drivers.stream().allMatch("noop"::equals);
        }
    }

    /**
     * oslo.messaging's {@code [oslo_messaging_rabbit]} options Glint reads: the exchange's and default queues'
     * {@code amqp_durable_queues} and {@code amqp_auto_delete}; reconnection {@code rabbit_retry_interval}, growing by
     * {@code rabbit_retry_backoff} up to {@code rabbit_interval_max}; {@code heartbeat_timeout_threshold}.
     */
    public record RabbitConfig(boolean durable, boolean autoDelete, Duration retryInterval, Duration retryBackoff,
                               Duration intervalMax, Duration heartbeat) {}

    /** What an operator runs Glint with beside the API: {@code [healthcheck]}, {@code [metrics]} and the logs. */
    public record OperationsConfig(HealthcheckConfig healthcheck, MetricsConfig metrics, LogConfig log) {}

    /**
     * oslo.middleware's {@code [healthcheck]} options: {@code backends} in the order they run (Glance's paste
     * default: {@code disable_by_file}; Glint's {@code database} and {@code stores} too), {@code detailed},
     * {@code disable_by_file_path}, {@code disable_by_file_paths} (port → path), {@code enable_by_file_paths},
     * {@code allowed_source_ranges} (CIDRs; empty: everyone) and {@code ignore_proxied_requests}.
     */
    public record HealthcheckConfig(List<String> backends, boolean detailed, Optional<Path> disableByFilePath,
                                    Map<Integer, Path> disableByFilePaths, List<Path> enableByFilePaths,
                                    List<String> allowedSourceRanges, boolean ignoreProxiedRequests) {}

    /** {@code [metrics]}: Prometheus metrics, off by default, on a listener of their own (loopback by default). */
    public record MetricsConfig(boolean enabled, String bindHost, int bindPort) {}

    /**
     * oslo.log's {@code [DEFAULT] use_json} (one JSON object per line), {@code debug} (DEBUG for Glint's loggers) and
     * {@code log_config_append} (here: a Logback configuration file, which then decides everything).
     */
    public record LogConfig(boolean useJson, boolean debug, Optional<Path> configAppend) {}

    /**
     * Image locations (Glance's options of the same names): whether image views show {@code locations} and PATCH may
     * change them ({@code show_multiple_locations}, false), whether they show {@code direct_url}
     * ({@code show_image_direct_url}, false), at most how many locations an image has ({@code image_location_quota},
     * 10; negative: no limit), and whether the add-location API hashes the data ({@code do_secure_hash}, true).
     */
    public record LocationsConfig(boolean showMultipleLocations, boolean showDirectUrl, int quota, boolean secureHash) {
        public static final LocationsConfig DEFAULTS = new LocationsConfig(false, false, 10, true);
    }

    /**
     * Content inspection ({@code [image_format]}): Glance's {@code require_image_format_match},
     * {@code gpt_safety_checks_nonfatal} and {@code vmdk_allowed_types}, and Glint's own {@code inspect_content}
     * (true; false turns inspection off altogether, as Glance before CVE-2024-32498 — for measurements only).
     */
    public record ImageFormatConfig(boolean inspectContent, boolean requireFormatMatch, List<String> gptSafetyChecksNonfatal,
                                    List<String> vmdkAllowedTypes) {}

    /** Glance's {@code property_protection_file} and {@code property_protection_rule_format} ({@code roles} | {@code policies}). */
    public record PropertyProtectionConfig(Path file, String ruleFormat) {}

    /**
     * What a client connection may hold: Glance's {@code client_socket_timeout} and {@code max_header_line}
     * ({@code [DEFAULT]}), oslo.middleware's {@code [oslo_middleware] max_request_body_size} (metadata bodies; Glint's
     * default 1 MiB), Glint's {@code [wsgi] max_connections}, {@code header_timeout} (seconds) and
     * {@code min_request_data_rate} (bytes/s; 0: none). See docs/reliability.md.
     */
    public record ConnectionsConfig(Duration clientSocketTimeout, int maxHeaderLine, int maxRequestBodySize,
                                    int maxConnections, Duration headerTimeout, long minRequestDataRate) {
        public static final ConnectionsConfig DEFAULTS = new ConnectionsConfig(Duration.ofSeconds(900), 16384, 1 << 20,
                4096, Duration.ofSeconds(30), 1024);
    }

    public record ServerConfig(String host, int port, Optional<String> publicEndpoint, ConnectionsConfig connections) {
        /** The URL clients use to reach this server: Glance's {@code public_endpoint}, else the bind address. */
        public String baseUrl() {
            return publicEndpoint.orElseGet(() -> "http://" + host + ":" + port);
        }
    }

    /**
     * @param poolTimeout oslo.db's {@code [database] pool_timeout}: how long a request waits for a connection (and, on
     *     SQLite, for the write lock) before it is answered 503
     */
    public record DatabaseConfig(String url, String user, String password, int maxPoolSize, Duration poolTimeout) {
        public static final Duration DEFAULT_POOL_TIMEOUT = Duration.ofSeconds(5);

        public DatabaseConfig(String url, String user, String password, int maxPoolSize) {
            this(url, user, password, maxPoolSize, DEFAULT_POOL_TIMEOUT);
        }
    }

    /** One named store, like a section named in Glance's {@code enabled_backends = name:type}. */
    public record StoreConfig(String id, String type, String description, Map<String, String> options) {}

    public record StoresConfig(List<StoreConfig> enabled, String defaultStore, boolean multiStore) {}

    public record ImagesConfig(
            long imageSizeCap,
            int limitParamDefault,
            int apiLimitMax,
            String hashingAlgorithm,
            List<String> diskFormats,
            List<String> containerFormats,
            int propertyQuota,
            int tagQuota,
            int memberQuota) {}

    /**
     * The local image cache and its management API (Glance's {@code [paste_deploy] flavor = keystone+cachemanagement}
     * with {@code image_cache_dir}). {@code prefetchDelay}: how long a queued image waits before the worker fetches it;
     * {@code stallTime}: {@code image_cache_stall_time}, the age at which {@code glint cache clean} removes an
     * incomplete entry.
     */
    public record CacheConfig(boolean enabled, Path dir, long maxSize, Duration prefetchDelay, Duration stallTime) {}

    public record IdentityConfig(
            String mode,
            Duration tokenTtl,
            String region,
            Optional<String> adminPassword,
            int passwordHashRounds,
            Optional<KeystoneAuthtoken> keystone,
            int lockoutFailureAttempts,
            Duration lockoutDuration) {
        /** {@code [identity] mode = keystone}: tokens are validated by an external Keystone; no built-in identity. */
        public boolean keystoneMode() {
            return keystone.isPresent();
        }
    }

    /**
     * keystonemiddleware's {@code [keystone_authtoken]} options (auth_token/_opts.py and keystoneauth's password
     * plugin), read when {@code [identity] mode = keystone}.
     */
    public record KeystoneAuthtoken(
            String wwwAuthenticateUri,
            String authUrl,
            String username,
            String password,
            String projectName,
            String userDomainName,
            String projectDomainName,
            Duration tokenCacheTime,
            Set<String> serviceTokenRoles,
            boolean serviceTokenRolesRequired,
            Duration httpConnectTimeout) {}

    /**
     * Interoperable image import: Glance's {@code [DEFAULT] enabled_import_methods}, the staging directory
     * ({@code node_staging_uri}), the import task pool ({@code [wsgi] task_pool_threads}), {@code [task]
     * task_time_to_live} (hours), the filter of web-download's and glance-download's URLs
     * ({@code [import_filtering_opts]}), the property prefixes glance-download copies
     * ({@code [glance_download_properties] extra_properties}) and the import plugins.
     */
    public record ImportConfig(List<String> enabledMethods, Path stagingDir, int taskThreads, Duration taskTimeToLive,
                               ImportFilterConfig filter, List<String> glanceDownloadProperties, ImportPluginsConfig plugins) {}

    /**
     * Glance's import plugins: {@code [image_import_opts] image_import_plugins} (names, in the order they run; none by
     * default) and the options of the plugins, {@code [image_conversion]} and {@code [inject_metadata_properties]}.
     */
    public record ImportPluginsConfig(List<String> names, ConversionConfig conversion, InjectMetadataConfig inject) {}

    /**
     * {@code [image_conversion]}: Glance's {@code output_format}; Glint's qemu-img program and the limits it runs
     * under (address space for both runs, CPU seconds and wall-clock time for {@code info} and for {@code convert};
     * Glance: {@code prlimit} 1 GiB and 2 s for {@code info} only, no limit on {@code convert}).
     */
    public record ConversionConfig(String outputFormat, String qemuImg, long addressSpace, int infoCpuTime,
                                   Duration infoTimeout, int convertCpuTime, Duration convertTimeout) {}

    /** {@code [inject_metadata_properties]}: Glance's {@code ignore_user_roles} and {@code inject}. */
    public record InjectMetadataConfig(List<String> ignoreUserRoles, Map<String, String> inject) {}

    /** {@code [import_filtering_opts]}, as in Glance: an allow list, when set, makes its deny list ignored. */
    public record ImportFilterConfig(List<String> allowedSchemes, List<String> disallowedSchemes, List<String> allowedHosts,
                                     List<String> disallowedHosts, List<Integer> allowedPorts, List<Integer> disallowedPorts) {}
}
