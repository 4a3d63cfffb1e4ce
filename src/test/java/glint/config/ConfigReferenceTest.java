package glint.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.config.GlintConfig.CacheConfig;
import glint.config.GlintConfig.ClusterConfig;
import glint.config.GlintConfig.ConnectionsConfig;
import glint.config.GlintConfig.ConversionConfig;
import glint.config.GlintConfig.DatabaseConfig;
import glint.config.GlintConfig.HealthcheckConfig;
import glint.config.GlintConfig.IdentityConfig;
import glint.config.GlintConfig.ImageFormatConfig;
import glint.config.GlintConfig.ImagesConfig;
import glint.config.GlintConfig.ImportConfig;
import glint.config.GlintConfig.ImportFilterConfig;
import glint.config.GlintConfig.ImportPluginsConfig;
import glint.config.GlintConfig.InjectMetadataConfig;
import glint.config.GlintConfig.KeystoneAuthtoken;
import glint.config.GlintConfig.LocationsConfig;
import glint.config.GlintConfig.LogConfig;
import glint.config.GlintConfig.MetricsConfig;
import glint.config.GlintConfig.NotificationsConfig;
import glint.config.GlintConfig.OperationsConfig;
import glint.config.GlintConfig.PropertyProtectionConfig;
import glint.config.GlintConfig.QuotaConfig;
import glint.config.GlintConfig.RabbitConfig;
import glint.config.GlintConfig.ScrubConfig;
import glint.config.GlintConfig.ServerConfig;
import glint.config.GlintConfig.StoreConfig;
import glint.config.GlintConfig.StoresConfig;
import glint.testing.DatabaseNeutral;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference, docs/configuration.md, against {@link ConfigLoader}: an empty file gives every
 * section the defaults the reference documents; a file that sets every documented option to another value lands each
 * in its record; and the reference's option tables list exactly the options the loader reads, so that an option
 * documented but not read, or read but not documented, fails here. Store types' own options (s3, swift: read by
 * {@code glint.store} from the store's section, which the loader hands over whole) are not the loader's.
 */
@DatabaseNeutral
class ConfigReferenceTest {
    private static final Path DOC = Path.of("docs", "configuration.md");

    /** Every documented option set to a value other than its default (multi-store and keystone mode). */
    private static final List<String> FULL = List.of(
            "[DEFAULT]",
            "data_dir = /srv/full",
            "bind_host = 0.0.0.0",
            "bind_port = 9393",
            "public_endpoint = https://images.example/",
            "image_size_cap = 1000",
            "limit_param_default = 7",
            "api_limit_max = 70",
            "hashing_algorithm = sha256",
            "image_property_quota = 11",
            "image_tag_quota = 12",
            "image_member_quota = 13",
            "enabled_backends = fast:file, objects:s3",
            "show_multiple_locations = true",
            "show_image_direct_url = true",
            "image_location_quota = 3",
            "do_secure_hash = false",
            "enabled_import_methods = [glance-direct, glance-download]",
            "property_protection_file = /etc/glint/property-protections.conf",
            "property_protection_rule_format = policies",
            "use_json = true",
            "debug = true",
            "log_config_append = /etc/glint/logback.xml",
            "use_keystone_limits = true",
            "user_storage_quota = 10GB",
            "client_socket_timeout = 0",
            "max_header_line = 8192",
            "control_exchange = images",
            "default_publisher_id = image.node1",
            "disabled_notifications = image.send, task",
            "image_cache_dir = /srv/cache",
            "image_cache_max_size = 1024",
            "image_cache_stall_time = 60",
            "image_cache_prefetch_delay = 1.5",
            "delayed_delete = true",
            "scrub_time = 3600",
            "wakeup_time = 0",
            "scrub_pool_size = 4",
            "[os_glance_staging_store]",
            "filesystem_store_datadir = /srv/staging",
            "[oslo_limit]",
            "endpoint_id = e1",
            "endpoint_service_type = image2",
            "endpoint_service_name = glance2",
            "endpoint_region_name = RegionTwo",
            "endpoint_interface = internalURL",
            "auth_url = http://limits.example/v3/",
            "username = limits",
            "password = lpw",
            "project_name = lproject",
            "user_domain_name = LDomain",
            "project_domain_name = LPDomain",
            "auth_type = password", // the only one supported: another refuses to start (below)
            "system_scope = all",
            "[wsgi]",
            "task_pool_threads = 3",
            "max_connections = 100",
            "header_timeout = 5",
            "min_request_data_rate = 0",
            "[task]",
            "task_time_to_live = 2",
            "[oslo_middleware]",
            "max_request_body_size = 2048",
            "[healthcheck]",
            "backends = [disable_by_files_ports, enable_by_files, database, stores]",
            "disable_by_file_path = /etc/glint/disabled",
            "disable_by_file_paths = 9292:/etc/glint/off-9292",
            "enable_by_file_paths = /etc/glint/on-a, /etc/glint/on-b",
            "detailed = true",
            "allowed_source_ranges = 10.0.0.0/8, 192.168.0.0/16",
            "ignore_proxied_requests = true",
            "[metrics]",
            "enabled = true",
            "bind_host = 0.0.0.0",
            "bind_port = 9102",
            "[oslo_messaging_notifications]",
            "driver = messagingv2",
            "driver = log",
            "transport_url = rabbit://glance:secret@rabbit1:5672/openstack",
            "topics = notifications, audit",
            "retry = 3",
            "[oslo_messaging_rabbit]",
            "amqp_durable_queues = true",
            "amqp_auto_delete = true",
            "rabbit_retry_interval = 3",
            "rabbit_retry_backoff = 4",
            "rabbit_interval_max = 50",
            "heartbeat_timeout_threshold = 0",
            "ssl = false", // true refuses to start (below)
            "[notifications]",
            "buffer_size = 5",
            "[import_filtering_opts]",
            "allowed_schemes = [https]",
            "disallowed_schemes = [ftp]",
            "allowed_hosts = [127.0.0.1]",
            "disallowed_hosts = [evil.example]",
            "allowed_ports = [8080]",
            "disallowed_ports = [22]",
            "[glance_download_properties]",
            "extra_properties = [hw_, custom_]",
            "[image_import_opts]",
            "image_import_plugins = [image_decompression, image_conversion, inject_image_metadata]",
            "[image_conversion]",
            "output_format = qcow2",
            "qemu_img = /usr/local/bin/qemu-img",
            "address_space = 2147483648",
            "info_cpu_time = 4",
            "info_timeout = 30",
            "convert_cpu_time = 60",
            "convert_timeout = 120",
            "[inject_metadata_properties]",
            "inject = owner_team:storage,tier:gold",
            "ignore_user_roles = admin, reader",
            "[image_format]",
            "disk_formats = raw, qcow2",
            "container_formats = bare",
            "require_image_format_match = false",
            "gpt_safety_checks_nonfatal = mbr, gptmbr",
            "vmdk_allowed_types = streamOptimized",
            "inspect_content = false",
            "[database]",
            "connection = jdbc:postgresql://db.example:5433/images",
            "user = glint",
            "password = dbpw",
            "max_pool_size = 20",
            "pool_timeout = 9",
            "[cluster]",
            "node_lease_time = 9",
            "shared_staging = true",
            "[glance_store]",
            "default_backend = objects",
            "[fast]",
            "filesystem_store_datadir = /srv/fast",
            "[objects]",
            "store_description = Object storage",
            "s3_store_bucket = images",
            "[identity]",
            "mode = keystone",
            "token_expiration = 60",
            "region = RegionTwo",
            "admin_password = s3cret",
            "password_hash_rounds = 1000",
            "[security_compliance]",
            "lockout_failure_attempts = 5",
            "lockout_duration = 60",
            "[keystone_authtoken]",
            "www_authenticate_uri = https://keystone.example/",
            "auth_url = http://keystone.example:5000/",
            "auth_type = password", // the only one supported
            "username = glance",
            "password = kpw",
            "project_name = service",
            "user_domain_name = UDomain",
            "project_domain_name = PDomain",
            "token_cache_time = -1",
            "service_token_roles = service, admin",
            "service_token_roles_required = true",
            "http_connect_timeout = 3",
            "[oslo_policy]",
            "policy_file = /etc/glint/policy.yaml");

    /** What {@link #FULL} cannot show, because another option there wins or the shape is multi-store. */
    private static final List<String> SINGLE = List.of(
            "[DEFAULT]",
            "node_staging_uri = file:///srv/single-staging",
            "transport_url = rabbit://other:pw@rabbit2:5672/",
            "[paste_deploy]",
            "flavor = keystone+caching",
            "[glance_store]",
            "default_store = s3",
            "stores = file, http",
            "filesystem_store_datadir = /srv/images");

    /** Sections a store's options are in (handed to glint.store whole), not options of the loader's own. */
    private static final Set<String> STORE_SECTIONS = Set.of("fast", "objects");

    private static GlintConfig load(List<String> lines) {
        return ConfigLoader.fromIni(IniFile.parse(lines, "test"), Map.of(), Map.of());
    }

    @Test
    void anEmptyFileGivesEverySectionItsDocumentedDefaults() {
        Path data = Path.of("./data").toAbsolutePath().normalize();
        GlintConfig expected = new GlintConfig(
                new ServerConfig("127.0.0.1", 9292, Optional.empty(), new ConnectionsConfig(Duration.ofSeconds(900), 16384,
                        1048576, 4096, Duration.ofSeconds(30), 1024)),
                new DatabaseConfig("jdbc:sqlite:" + data.resolve("glint.db"), "", "", 10, Duration.ofSeconds(5)),
                new StoresConfig(List.of(new StoreConfig("file", "file", "",
                        Map.of("filesystem_store_datadir", data.resolve("images").toString()))), "file", false),
                new ImagesConfig(1099511627776L, 25, 1000, "sha512",
                        List.of("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"),
                        List.of("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"), 128, 128, 128),
                // lockout_failure_attempts "none": 0, no lockout (Keystone's)
                new IdentityConfig("builtin", Duration.ofSeconds(3600), "RegionOne", Optional.empty(), 210000,
                        Optional.empty(), 0, Duration.ofSeconds(1800)),
                Optional.empty(),
                Optional.empty(),
                data,
                new CacheConfig(false, data.resolve("image-cache"), 10737418240L, Duration.ZERO, Duration.ofSeconds(86400)),
                new ImportConfig(List.of("glance-direct", "web-download", "copy-image"), data.resolve("staging"), 16,
                        Duration.ofHours(48),
                        new ImportFilterConfig(List.of("http", "https"), List.of(), List.of(), List.of(), List.of(80, 443),
                                List.of()),
                        List.of("hw_", "trait:", "os_distro", "os_secure_boot", "os_type"),
                        new ImportPluginsConfig(List.of(),
                                new ConversionConfig("raw", "qemu-img", 1073741824L, 2, Duration.ofSeconds(60), 3600,
                                        Duration.ofSeconds(7200)),
                                new InjectMetadataConfig(List.of("admin"), Map.of()))),
                new ImageFormatConfig(true, true, List.of(), List.of("streamOptimized", "monolithicSparse")),
                new OperationsConfig(
                        new HealthcheckConfig(List.of("disable_by_file"), false, Optional.empty(), Map.of(), List.of(),
                                List.of(), false),
                        new MetricsConfig(false, "127.0.0.1", 9293),
                        new LogConfig(false, false, Optional.empty())),
                new NotificationsConfig(List.of(), "rabbit://guest:guest@localhost:5672/", List.of("notifications"), -1,
                        "image.localhost", List.of(), "glance",
                        new RabbitConfig(false, false, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(30),
                                Duration.ofSeconds(60)),
                        10000),
                new LocationsConfig(false, false, 10, true),
                new QuotaConfig(false, 0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), "public",
                        Optional.empty(), false),
                new ClusterConfig(Duration.ofSeconds(30), false),
                new ScrubConfig(false, Duration.ZERO, Duration.ofSeconds(300), 1));

        assertSections(load(List.of()), expected);
    }

    @Test
    void everyOptionSetLandsInItsRecord() {
        KeystoneAuthtoken service = new KeystoneAuthtoken("https://keystone.example", "http://keystone.example:5000",
                "glance", "kpw", "service", "UDomain", "PDomain", Duration.ZERO, Set.of("service", "admin"), true,
                Duration.ofSeconds(3));
        GlintConfig expected = new GlintConfig(
                new ServerConfig("0.0.0.0", 9393, Optional.of("https://images.example"), new ConnectionsConfig(Duration.ZERO,
                        8192, 2048, 100, Duration.ofSeconds(5), 0)),
                new DatabaseConfig("jdbc:postgresql://db.example:5433/images", "glint", "dbpw", 20, Duration.ofSeconds(9)),
                new StoresConfig(List.of(
                        new StoreConfig("fast", "file", "", Map.of("filesystem_store_datadir", "/srv/fast")),
                        new StoreConfig("objects", "s3", "Object storage",
                                Map.of("store_description", "Object storage", "s3_store_bucket", "images"))),
                        "objects", true),
                new ImagesConfig(1000, 7, 70, "sha256", List.of("raw", "qcow2"), List.of("bare"), 11, 12, 13),
                new IdentityConfig("keystone", Duration.ofSeconds(60), "RegionTwo", Optional.of("s3cret"), 1000,
                        Optional.of(service), 5, Duration.ofSeconds(60)),
                Optional.of(Path.of("/etc/glint/policy.yaml")),
                Optional.of(new PropertyProtectionConfig(Path.of("/etc/glint/property-protections.conf"), "policies")),
                Path.of("/srv/full"),
                new CacheConfig(true, Path.of("/srv/cache"), 1024, Duration.ofMillis(1500), Duration.ofSeconds(60)),
                new ImportConfig(List.of("glance-direct", "glance-download"), Path.of("/srv/staging"), 3, Duration.ofHours(2),
                        new ImportFilterConfig(List.of("https"), List.of("ftp"), List.of("127.0.0.1"),
                                List.of("evil.example"), List.of(8080), List.of(22)),
                        List.of("hw_", "custom_"),
                        new ImportPluginsConfig(List.of("image_decompression", "image_conversion", "inject_image_metadata"),
                                new ConversionConfig("qcow2", "/usr/local/bin/qemu-img", 2147483648L, 4,
                                        Duration.ofSeconds(30), 60, Duration.ofSeconds(120)),
                                new InjectMetadataConfig(List.of("admin", "reader"),
                                        Map.of("owner_team", "storage", "tier", "gold")))),
                new ImageFormatConfig(false, false, List.of("mbr", "gptmbr"), List.of("streamOptimized")),
                new OperationsConfig(
                        new HealthcheckConfig(List.of("disable_by_files_ports", "enable_by_files", "database", "stores"),
                                true, Optional.of(Path.of("/etc/glint/disabled")),
                                Map.of(9292, Path.of("/etc/glint/off-9292")),
                                List.of(Path.of("/etc/glint/on-a"), Path.of("/etc/glint/on-b")),
                                List.of("10.0.0.0/8", "192.168.0.0/16"), true),
                        new MetricsConfig(true, "0.0.0.0", 9102),
                        new LogConfig(true, true, Optional.of(Path.of("/etc/glint/logback.xml")))),
                new NotificationsConfig(List.of("messagingv2", "log"), "rabbit://glance:secret@rabbit1:5672/openstack",
                        List.of("notifications", "audit"), 3, "image.node1", List.of("image.send", "task"), "images",
                        new RabbitConfig(true, true, Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(50),
                                Duration.ZERO),
                        5),
                new LocationsConfig(true, true, 3, false),
                new QuotaConfig(true, 10L << 30, Optional.of("e1"), Optional.of("image2"), Optional.of("glance2"),
                        Optional.of("RegionTwo"), "internal",
                        Optional.of(new KeystoneAuthtoken("https://keystone.example", "http://limits.example/v3", "limits",
                                "lpw", "lproject", "LDomain", "LPDomain", Duration.ZERO, Set.of("service", "admin"), true,
                                Duration.ofSeconds(3))),
                        true),
                new ClusterConfig(Duration.ofSeconds(9), true),
                new ScrubConfig(true, Duration.ofSeconds(3600), Duration.ZERO, 4));

        assertSections(load(FULL), expected);
    }

    @Test
    void singleStoreStagingTransportAndFlavorLandToo() {
        GlintConfig c = load(SINGLE);
        assertThat(c.stores().multiStore()).isFalse();
        assertThat(c.stores().defaultStore()).isEqualTo("s3");
        assertThat(c.stores().enabled()).extracting(StoreConfig::id).containsExactly("s3", "http");
        assertThat(c.stores().enabled().get(0).options()).containsEntry("filesystem_store_datadir", "/srv/images");
        assertThat(c.imports().stagingDir()).isEqualTo(Path.of("/srv/single-staging"));
        assertThat(c.notifications().transportUrl()).isEqualTo("rabbit://other:pw@rabbit2:5672/");
        assertThat(c.cache().enabled()).isTrue();
    }

    @Test
    void optionsWithOneSupportedValueRefuseAnyOther() {
        assertThatThrownBy(() -> load(List.of("[oslo_messaging_rabbit]", "ssl = true")))
                .hasMessageContaining("[oslo_messaging_rabbit] ssl");
        List<String> keystone = FULL.stream().map(l -> l.equals("auth_type = password") ? "auth_type = v3token" : l).toList();
        assertThatThrownBy(() -> load(keystone)).hasMessageContaining("auth_type: only 'password'");
    }

    /**
     * The reference's option tables (docs/configuration.md) name exactly what the loader reads; what they mark "not
     * read" it does not read; and {@link #FULL} with {@link #SINGLE} set every documented option, so the mapping test
     * above covers them all.
     */
    @Test
    void theReferenceListsExactlyTheOptionsTheLoaderReads() throws IOException {
        Reference doc = Reference.parse(Files.readAllLines(DOC));
        Set<String> read = new TreeSet<>();
        for (List<String> file : List.of(List.<String>of(), FULL, SINGLE)) {
            ConfigLoader.fromIni(IniFile.parse(file, "test").observed((s, k) -> read.add(s + "." + k)), Map.of(), Map.of());
        }
        Set<String> readByName = new TreeSet<>(read.stream().filter(o -> !o.endsWith("." + IniFile.WHOLE_SECTION)).toList());
        Set<String> documentedButUnread = new TreeSet<>(doc.options());
        documentedButUnread.removeIf(o -> read.contains(o) || read.contains(section(o) + "." + IniFile.WHOLE_SECTION));
        Set<String> readButUndocumented = new TreeSet<>(readByName);
        readButUndocumented.removeAll(doc.options());

        assertThat(documentedButUnread).as("options in docs/configuration.md's tables that the loader does not read")
                .isEmpty();
        assertThat(readButUndocumented).as("options the loader reads that docs/configuration.md's tables do not list")
                .isEmpty();
        assertThat(doc.notRead()).as("options documented as not read").isNotEmpty().doesNotContainAnyElementsOf(read);

        Set<String> set = new TreeSet<>(optionsIn(FULL));
        set.addAll(optionsIn(SINGLE));
        set.removeIf(o -> STORE_SECTIONS.contains(section(o)));
        assertThat(set).as("the options the mapping test sets").isEqualTo(doc.options());
    }

    /** Each section of {@code actual} against {@code expected}, by name, so that a failure names its section. */
    private static void assertSections(GlintConfig actual, GlintConfig expected) {
        for (RecordComponent section : GlintConfig.class.getRecordComponents()) {
            try {
                Object got = section.getAccessor().invoke(actual);
                Object want = section.getAccessor().invoke(expected);
                assertThat(got).as(section.getName()).isEqualTo(want);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static String section(String option) {
        return option.substring(0, option.indexOf('.'));
    }

    /** {@code section.key} of every option a file sets. */
    private static Set<String> optionsIn(List<String> lines) {
        Set<String> out = new TreeSet<>();
        String section = IniFile.DEFAULT;
        for (String line : lines) {
            if (line.startsWith("[")) {
                section = line.substring(1, line.length() - 1);
            } else {
                out.add(section + "." + line.substring(0, line.indexOf('=')).strip());
            }
        }
        return out;
    }

    /**
     * The option tables of docs/configuration.md: tables whose first header cell ends in "option"; the first cell of
     * a row names options in backticks, {@code [section] key} or {@code key} (the section named last in the cell,
     * else the table header's, else the heading's when it starts with {@code `[section]`}, else DEFAULT). A row whose
     * meaning starts with "not read" documents an option Glint ignores. The subsections of the store section (store
     * types' own options) are skipped.
     */
    private record Reference(Set<String> options, Set<String> notRead) {
        private static final Pattern SECTION = Pattern.compile("`\\[([A-Za-z_]+)]");
        private static final Pattern TOKEN = Pattern.compile("`(?:\\[([A-Za-z_]+)] )?([a-z_]+)`");

        static Reference parse(List<String> lines) {
            Set<String> options = new TreeSet<>();
            Set<String> notRead = new TreeSet<>();
            boolean fence = false;
            boolean storeTypes = false;
            boolean storeArea = false;
            String headingSection = IniFile.DEFAULT;
            String tableSection = null; // null: not in an option table
            boolean inTable = false;
            for (String line : lines) {
                if (line.startsWith("```")) {
                    fence = !fence;
                    continue;
                }
                if (fence) {
                    continue;
                }
                if (line.startsWith("## ")) {
                    String heading = line.substring(3);
                    Matcher m = SECTION.matcher(heading);
                    headingSection = heading.startsWith("`[") && m.find() ? m.group(1) : IniFile.DEFAULT;
                    storeArea = heading.contains("[glance_store]");
                    storeTypes = false;
                } else if (line.startsWith("### ")) {
                    storeTypes = storeArea;
                }
                if (!line.startsWith("|")) {
                    inTable = false;
                    tableSection = null;
                    continue;
                }
                List<String> cells = cells(line);
                if (!inTable) { // the header
                    inTable = true;
                    if (!storeTypes && cells.get(0).endsWith("option")) {
                        Matcher m = SECTION.matcher(cells.get(0));
                        tableSection = m.find() ? m.group(1) : headingSection;
                    }
                    continue;
                }
                if (tableSection == null || cells.get(0).startsWith("---")) {
                    continue;
                }
                String section = tableSection;
                List<String> names = new ArrayList<>();
                Matcher t = TOKEN.matcher(cells.get(0));
                while (t.find()) {
                    if (t.group(1) != null) {
                        section = t.group(1);
                    }
                    names.add(section + "." + t.group(2));
                }
                boolean ignored = cells.size() > 2 && cells.get(2).startsWith("not read");
                (ignored ? notRead : options).addAll(names);
            }
            return new Reference(options, notRead);
        }

        private static List<String> cells(String line) {
            String inner = line.strip();
            inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
            List<String> out = new ArrayList<>();
            for (String c : inner.split("\\|", -1)) {
                out.add(c.strip());
            }
            return out;
        }
    }
}
