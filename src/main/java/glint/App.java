package glint;

import com.fasterxml.jackson.databind.ObjectMapper;
import glint.api.ImageRequests;
import glint.api.ImageView;
import glint.api.ImagesApi;
import glint.api.ListQueryParser;
import glint.api.MembersApi;
import glint.api.MetadefLoader;
import glint.api.MetadefNamespacesApi;
import glint.api.MetadefObjectsApi;
import glint.api.MetadefPropertiesApi;
import glint.api.MetadefRequests;
import glint.api.MetadefResourceTypesApi;
import glint.api.MetadefSchemasApi;
import glint.api.MetadefTagsApi;
import glint.api.MetadefViews;
import glint.api.schema.MetadefSchemas;
import glint.api.SchemasApi;
import glint.api.VersionsApi;
import glint.api.schema.ImageSchemas;
import glint.api.schema.SchemaValidator;
import glint.api.IdentityApi;
import glint.api.ImageDataApi;
import glint.api.InfoApi;
import glint.api.LocationRequests;
import glint.api.LocationsApi;
import glint.api.ImportApi;
import glint.api.TaskView;
import glint.api.TasksApi;
import glint.api.HealthcheckApi;
import glint.cluster.NodeLease;
import glint.db.JdbcNodeLeases;
import glint.health.Healthcheck;
import glint.metrics.DataMetrics;
import glint.metrics.MeteredStore;
import glint.metrics.Metrics;
import glint.metrics.RequestMetrics;
import glint.metrics.ServiceGauges;
import java.util.concurrent.ThreadPoolExecutor;
import glint.db.JdbcTaskRepository;
import glint.db.JdbcQuotaRepository;
import glint.quota.Quotas;
import glint.image.imports.GlanceDownloadMetadata;
import glint.image.imports.GlanceDownloadSource;
import glint.image.imports.ImportBlobs;
import glint.image.imports.ImportChecks;
import glint.image.imports.ImportImages;
import glint.image.imports.ImportProperties;
import glint.image.imports.ImportRecovery;
import glint.image.imports.ImportRequest;
import glint.image.imports.ImportRevert;
import glint.image.imports.ImportService;
import glint.image.imports.ImportStaging;
import glint.image.imports.ImportTask;
import glint.image.imports.LocationImport;
import glint.image.imports.LocationImportTask;
import glint.image.imports.StagedSource;
import glint.image.imports.StoreCopySource;
import glint.image.imports.StoreImport;
import glint.image.imports.UriFilter;
import glint.image.imports.WebDownloadSource;
import glint.image.imports.WebSource;
import glint.image.imports.plugins.ImportPlugins;
import glint.api.CacheApi;
import glint.cache.CachePrefetcher;
import glint.cache.CacheService;
import glint.cache.ImageCache;
import glint.config.GlintConfig;
import glint.data.HashAlgorithm;
import glint.data.UploadPipeline;
import glint.db.Database;
import glint.db.JdbcDataJournal;
import glint.db.JdbcImageRepository;
import glint.db.JdbcMemberRepository;
import glint.db.JdbcMetadefRepository;
import glint.http.ConnectionLimits;
import glint.http.HttpServer;
import glint.http.Json;
import glint.http.Router;
import glint.identity.IdentityService;
import glint.identity.Openrc;
import glint.image.ImageAccess;
import glint.format.FormatOptions;
import glint.format.FormatRules;
import glint.image.FormatChecks;
import glint.image.ImageDataService;
import glint.image.ImageService;
import glint.image.DataRemoval;
import glint.image.LocationChecks;
import glint.image.LocationOrder;
import glint.image.LocationPatch;
import glint.image.ReleasedData;
import glint.image.StoreCatalog;
import glint.image.StoreDeletion;
import glint.image.MemberService;
import glint.image.PeriodicScrubber;
import glint.image.Scrubber;
import glint.metadef.MetadefEvents;
import glint.metadef.MetadefService;
import glint.notify.messaging.Notifications;
import glint.store.BlobStore;
import glint.task.TaskEvents;
import glint.image.ImageEvents;
import glint.policy.PolicyEngine;
import glint.policy.PropertyProtections;
import glint.store.FileStore;
import glint.store.StoreRegistry;
import glint.task.TaskLifecycle;
import glint.task.TaskService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** All of Glint, wired by hand in one place: config → database → stores → services → API → HTTP server. */
public final class App implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(App.class);

    private final HttpServer server;
    private final Database database;
    private final GlintConfig config;
    private final IdentityService identity;
    private final Optional<CachePrefetcher> prefetcher;
    private final ImportService imports;
    private final Operations operations;
    private final Notifications notifications;
    private final NodeLease lease;
    private final Optional<PeriodicScrubber> scrubber;
    private final Optional<ImageCache> cache;

    private App(GlintConfig config, HttpServer server, Database database, IdentityService identity,
                Optional<CachePrefetcher> prefetcher, ImportService imports, Operations operations,
                Notifications notifications, NodeLease lease, Optional<PeriodicScrubber> scrubber,
                Optional<ImageCache> cache) {
        this.lease = lease;
        this.scrubber = scrubber;
        this.cache = cache;
        this.operations = operations;
        this.notifications = notifications;
        this.prefetcher = prefetcher;
        this.imports = imports;
        this.config = config;
        this.server = server;
        this.database = database;
        this.identity = identity;
    }

    /**
     * Starts Glint in stages, each a method below that builds one layer on what the earlier ones built: the
     * {@link Core} (metrics, database, notifications, identity and the router), {@link Storage} (the stores and the
     * image repository), the {@link Domain} (image use cases and the data plane), {@link Imports} (tasks and import),
     * {@link #recover recovery} of what a crash left, {@link Background} work (scrubber, cache), the routes, and last
     * the listener. Recovery completes before the listener opens (docs/reliability.md); {@link #close} stops in the
     * reverse order.
     */
    public static App start(GlintConfig config) throws Exception {
        Core core = core(config);
        Storage storage = storage(config, core);
        Domain domain = domain(config, core, storage);
        Imports imports = imports(config, core, storage, domain);
        NodeLease lease = recover(config, core, storage, domain, imports);
        Background background = background(config, core, storage, domain);
        registerRoutes(config, core, storage, domain, imports, background);
        Listener listener = listen(config, core, storage);
        return new App(config, listener.server(), core.database(), core.identityWiring().identity(),
                background.prefetcher(), imports.service(), listener.operations(), core.notifications(), lease,
                background.scrubber(), background.cache());
    }

    /** What every later stage uses: JSON, the meters, the migrated database, notifications, identity and the router. */
    private record Core(ObjectMapper json, Metrics metrics, Database database, Notifications notifications,
                        ImageEvents imageEvents, IdentityWiring identityWiring, Router router) {}

    private static Core core(GlintConfig config) throws java.io.IOException {
        ObjectMapper json = Json.mapper();
        Metrics metrics = Metrics.from(config.operations().metrics());
        Database database = Database.open(config.database(), metrics.registry());
        database.migrate();
        // Glance's notifications: the domain tells its events (glint.notify.Notifier), the drivers send them
        Notifications notifications = Notifications.start(config.notifications(), json, metrics.registry(), Clock.systemUTC());
        ImageEvents imageEvents = new ImageEvents(notifications, Clock.systemUTC(), config.stores().multiStore());
        IdentityWiring identityWiring = IdentityWiring.start(config, database, json);
        Router router = identityWiring.router();
        router.listener(new RequestMetrics(metrics.registry()));
        return new Core(json, metrics, database, notifications, imageEvents, identityWiring, router);
    }

    /**
     * Where image data and records live: the configured stores (metered) with the staging store reserved beside them,
     * the image repository, the data journal, and the name of this node in both.
     */
    private record Storage(UriFilter uriFilter, StoreRegistry stores, JdbcImageRepository imageRepository,
                           JdbcDataJournal journal, String node, boolean sharedStaging) {}

    private static Storage storage(GlintConfig config, Core core) throws java.io.IOException {
        UriFilter uriFilter = UriFilter.withDns(config.imports().filter());
        StoreRegistry dataStores = StoreRegistry.from(config.stores(), uriFilter.httpGuard(),
                s -> new MeteredStore(s, core.metrics().registry()));
        JdbcImageRepository imageRepository = new JdbcImageRepository(core.database(),
                LocationOrder.byWeight(dataStores::weight));
        JdbcDataJournal journal = new JdbcDataJournal(core.database());
        dataStores.all().forEach(s -> LOG.info("store {}: {}", s.id(), s.describe()));
        // staging that belongs to this node (node_staging_uri): what a crash left there is stale at the next start;
        // shared by every node ([cluster] shared_staging): only what made no progress for the stores' age bound
        boolean sharedStaging = config.cluster().sharedStaging();
        dataStores.withReserved(new FileStore(StoreRegistry.STAGING, config.imports().stagingDir(),
                FileStore.DEFAULT_FLUSH_EVERY, false, sharedStaging ? BlobStore.STALE_AFTER : Duration.ZERO,
                Clock.systemUTC()));
        return new Storage(uriFilter, dataStores, imageRepository, journal, nodeId(config), sharedStaging);
    }

    /**
     * The image use cases and the data plane: policy and property protections, {@link ImageService}, the upload
     * pipeline with its hashing threads and format checks, {@link ImageDataService}, and the quotas both enforce.
     */
    private record Domain(PropertyProtections protections, PolicyEngine policy, ImageAccess access,
                          HashAlgorithm hashAlgorithm, ReleasedData released, LocationChecks locationChecks,
                          ImageService images, ImageDataService imageData, ExecutorService hashers,
                          UploadPipeline pipeline, FormatOptions formatOptions, FormatRules formatRules,
                          FormatChecks formats, Quotas quotas) {}

    private static Domain domain(GlintConfig config, Core core, Storage storage) throws java.io.IOException {
        StoreRegistry dataStores = storage.stores();
        JdbcImageRepository imageRepository = storage.imageRepository();
        PropertyProtections protections = propertyProtections(config);
        PolicyEngine policy = policyEngine(config, protections);
        ImageAccess access = new ImageAccess(policy, imageRepository);
        HashAlgorithm hashAlgorithm = HashAlgorithm.of(config.images().hashingAlgorithm());
        ReleasedData released = new ReleasedData(new DataRemoval(dataStores, storage.journal()), storage.node());
        LocationChecks locationChecks = new LocationChecks(dataStores, imageRepository);
        ImageService images = new ImageService(imageRepository, access, protections.withPolicy(policy), config.images(),
                Clock.systemUTC(), core.imageEvents(), new LocationPatch(access, locationChecks, config.locations(),
                hashAlgorithm), released, config.scrub().delayedDelete());
        ExecutorService hashers = Executors.newCachedThreadPool(daemonThreads("hash"));
        UploadPipeline pipeline = new UploadPipeline(hashers);
        FormatOptions formatOptions = formatOptions(config.imageFormat());
        FormatRules formatRules = new FormatRules(formatOptions);
        FormatChecks formats = new FormatChecks(formatRules, config.imageFormat().inspectContent());
        ImageDataService imageData = new ImageDataService(images, access, imageRepository, storage.journal(),
                dataStores, pipeline, formats, hashAlgorithm, config.images().imageSizeCap(), storage.node(),
                Clock.systemUTC());
        Quotas quotas = new Quotas(config.quotas().useKeystoneLimits(), config.quotas().userStorageQuota(),
                core.identityWiring().limits(), new JdbcQuotaRepository(core.database()));
        images.useQuotas(quotas);
        imageData.useQuotas(quotas);
        imageData.sharedStaging(storage.sharedStaging());
        return new Domain(protections, policy, access, hashAlgorithm, released, locationChecks, images, imageData,
                hashers, pipeline, formatOptions, formatRules, formats, quotas);
    }

    /**
     * Tasks and interoperable import: the task lifecycle, the import sources and steps, {@link ImportService} and the
     * 2.17 add-location task on one fixed pool, and {@link ImportRecovery} for the recovery stage.
     */
    private record Imports(JdbcTaskRepository taskRepository, ImportService service, LocationImportTask locationTask,
                           LocationImport locationImport, ImportRecovery recovery) {}

    private static Imports imports(GlintConfig config, Core core, Storage storage, Domain domain) {
        ObjectMapper json = core.json();
        StoreRegistry dataStores = storage.stores();
        String node = storage.node();
        boolean multiStore = config.stores().multiStore();
        JdbcTaskRepository taskRepository = new JdbcTaskRepository(core.database(), json);
        TaskLifecycle taskLifecycle = new TaskLifecycle(taskRepository, config.imports().taskTimeToLive(), node,
                Clock.systemUTC(), new TaskEvents(core.notifications(), Clock.systemUTC()));
        WebSource web = new WebSource(storage.uriFilter(), Duration.ofSeconds(60));
        ImportChecks importChecks = new ImportChecks(domain.access(), dataStores, multiStore, web.filter(), taskLifecycle,
                config.imports().enabledMethods());
        ImportProperties importProperties = new ImportProperties(multiStore, node);
        ImportImages importImages = new ImportImages(storage.imageRepository(), Clock.systemUTC(), core.imageEvents());
        ImportBlobs importBlobs = new ImportBlobs(dataStores, storage.journal(), domain.pipeline(), domain.formats(),
                domain.hashAlgorithm(), config.images().imageSizeCap(), node,
                ImportPlugins.stagedChecks(config.imports().plugins()), storage.sharedStaging());
        importBlobs.useQuotas(domain.quotas());
        ImportRevert importRevert = new ImportRevert(importImages, importBlobs, importProperties);
        ImportTask importTask = new ImportTask(taskLifecycle, importImages, Map.of(
                        ImportRequest.GLANCE_DIRECT, new StagedSource(importBlobs),
                        ImportRequest.WEB_DOWNLOAD, new WebDownloadSource(web, importBlobs, importImages),
                        ImportRequest.COPY_IMAGE, new StoreCopySource(importImages, dataStores),
                        ImportRequest.GLANCE_DOWNLOAD, new GlanceDownloadSource(core.identityWiring().catalogs(), web,
                                importBlobs, importImages, new GlanceDownloadMetadata(importImages,
                                        config.imports().glanceDownloadProperties(),
                                        domain.protections().withPolicy(domain.policy()), config.images().propertyQuota(),
                                        config.images().diskFormats(), config.images().containerFormats()), json)),
                ImportPlugins.build(config.imports().plugins(), new ImportStaging(importBlobs, importImages),
                        domain.formatRules(), domain.formatOptions(), config.images().imageSizeCap()),
                new StoreImport(importImages, importBlobs, dataStores, importProperties, domain.hashers()), importRevert,
                importBlobs);
        ThreadPoolExecutor importPool = (ThreadPoolExecutor) Executors.newFixedThreadPool(config.imports().taskThreads(),
                daemonThreads("import"));
        ServiceGauges.importTasks(core.metrics().registry(), importPool);
        ImportService imports = new ImportService(importChecks, importImages, importBlobs, importProperties, taskLifecycle,
                importTask, importPool);
        LocationImportTask locationTask = new LocationImportTask(taskLifecycle, importImages, domain.locationChecks(),
                dataStores, domain.hashAlgorithm(), config.locations().secureHash(), domain.formats());
        LocationImport locationImport = new LocationImport(domain.access(), importImages, importChecks, taskLifecycle,
                dataStores, domain.hashAlgorithm(), locationTask, importPool);
        ImportRecovery importRecovery = new ImportRecovery(taskLifecycle, importImages, importBlobs, importRevert, multiStore);
        return new Imports(taskRepository, imports, locationTask, locationImport, importRecovery);
    }

    /**
     * Crash recovery, before anything is served: this node's lease first (no other node recovers this node's work
     * while it does so itself), then what this node's last run left — imports reverted before the data journal's
     * entries are removed — then the lease's renewal, which also recovers dead nodes' work in the same order.
     */
    private static NodeLease recover(GlintConfig config, Core core, Storage storage, Domain domain, Imports imports)
            throws java.io.IOException {
        ImageDataService imageData = domain.imageData();
        NodeLease lease = new NodeLease(new JdbcNodeLeases(core.database()), storage.node(),
                config.cluster().nodeLeaseTime(), Clock.systemUTC(), dead -> {
                    // a dead node's work, as it would recover it at its own start (same order)
                    imports.recovery().recover(dead);
                    imports.locationTask().recover(dead);
                    imageData.recover(dead);
                });
        lease.register();
        // before imageData.recover(), which removes the data this reverts
        imports.recovery().recover();
        imports.locationTask().recover();
        imageData.recover();
        lease.start();
        return lease;
    }

    /** Work of this node beside requests: the in-process scrubber (delayed delete) and the image cache's prefetcher. */
    private record Background(Optional<PeriodicScrubber> scrubber, Optional<ImageCache> cache,
                              Optional<CachePrefetcher> prefetcher) {}

    private static Background background(GlintConfig config, Core core, Storage storage, Domain domain)
            throws java.io.IOException {
        Optional<PeriodicScrubber> scrubber = Optional.empty();
        if (config.scrub().delayedDelete() && !config.scrub().wakeupTime().isZero()) {
            scrubber = Optional.of(new PeriodicScrubber(scrubber(config, storage.imageRepository(), storage.stores(),
                    storage.journal(), storage.node()), config.scrub().wakeupTime()));
            LOG.info("delayed_delete: deleted images keep their data for scrub_time {} s; scrubbing every {} s",
                    config.scrub().scrubTime().toSeconds(), config.scrub().wakeupTime().toSeconds());
        }
        Optional<ImageCache> cache = Optional.empty();
        Optional<CachePrefetcher> prefetcher = Optional.empty();
        if (config.cache().enabled()) {
            ImageCache c = new ImageCache(config.cache().dir(), config.cache().maxSize(), Clock.systemUTC());
            c.recover();
            CachePrefetcher p = new CachePrefetcher(c, storage.imageRepository(), storage.stores(),
                    config.cache().prefetchDelay());
            p.start();
            domain.imageData().useCache(ServiceGauges.imageCache(core.metrics().registry(), c));
            cache = Optional.of(c);
            prefetcher = Optional.of(p);
            LOG.info("image cache in {} (image_cache_max_size {} bytes)", c.directory(), config.cache().maxSize());
        }
        return new Background(scrubber, cache, prefetcher);
    }

    /** Every API area on the router: versions, schemas, images and their data, info, locations, tasks, cache, … */
    private static void registerRoutes(GlintConfig config, Core core, Storage storage, Domain domain, Imports imports,
                                       Background background) {
        ObjectMapper json = core.json();
        Router router = core.router();
        StoreRegistry dataStores = storage.stores();
        ImageAccess access = domain.access();
        boolean multiStore = config.stores().multiStore();
        ImageSchemas schemas = new ImageSchemas(json, config.images().diskFormats(), config.images().containerFormats());
        ImageView view = new ImageView(multiStore, config.locations().showMultipleLocations(),
                config.locations().showDirectUrl());
        new VersionsApi(config.server().publicEndpoint(), multiStore, background.cache().isPresent()).register(router);
        new SchemasApi(schemas).register(router);
        Map<String, String> createHeaders = new java.util.LinkedHashMap<>();
        if (!config.imports().enabledMethods().isEmpty()) {
            createHeaders.put("OpenStack-image-import-methods", String.join(",", config.imports().enabledMethods()));
        }
        if (multiStore) {
            createHeaders.put("OpenStack-image-store-ids", String.join(",",
                    config.stores().enabled().stream().map(GlintConfig.StoreConfig::id).toList()));
        }
        new ImagesApi(domain.images(), domain.imageData(), new ImageRequests(schemas, new SchemaValidator(), json),
                new ListQueryParser(config.images()), view, createHeaders).register(router);
        DataMetrics dataMetrics = new DataMetrics(core.metrics().registry());
        new ImageDataApi(domain.imageData(), multiStore, dataMetrics).register(router);
        new InfoApi(new StoreCatalog(config.stores(), dataStores, access), config.imports().enabledMethods(),
                domain.quotas()).register(router);
        new LocationsApi(new StoreDeletion(access, storage.imageRepository(), dataStores, multiStore, domain.released(),
                Clock.systemUTC()), imports.locationImport(), new LocationRequests(new SchemaValidator(), json), view)
                .register(router);
        TaskView taskView = new TaskView();
        TaskService taskService = new TaskService(access, imports.taskRepository(), Clock.systemUTC());
        new ImportApi(imports.service(), taskService, taskView, json, multiStore, dataMetrics).register(router);
        new TasksApi(taskService, taskView, json).register(router);
        new CacheApi(new CacheService(access, background.cache(), background.prefetcher())).register(router);
        new MembersApi(new MemberService(access, new JdbcMemberRepository(core.database()), config.images().memberQuota(),
                Clock.systemUTC(), core.imageEvents())).register(router);
        registerMetadefs(router, json, domain.policy(), core.database(), config,
                new MetadefEvents(core.notifications(), Clock.systemUTC()));
        new HealthcheckApi(Healthcheck.from(config.operations().healthcheck(), core.database()::ping, dataStores.all()),
                json, Clock.systemUTC()).register(router);
    }

    /** The last stage: the API's listener and the metrics listener open, the identity learns its URL. */
    private record Listener(HttpServer server, Operations operations) {}

    private static Listener listen(GlintConfig config, Core core, Storage storage) throws Exception {
        ConnectionLimits limits = connectionLimits(config.server().connections());
        core.router().limits(limits);
        HttpServer server = new HttpServer(config.server().host(), config.server().port(), core.router(), limits);
        server.start();
        Operations operations = Operations.start(config.operations().metrics(), core.metrics());
        String host = List.of("0.0.0.0", "::", "[::]").contains(config.server().host()) ? "127.0.0.1" : config.server().host();
        String baseUrl = config.server().publicEndpoint().orElse("http://" + host + ":" + server.port());
        IdentityWiring identityWiring = core.identityWiring();
        identityWiring.listening(baseUrl);
        if (config.identity().keystoneMode()) {
            LOG.info("identity: tokens validated by Keystone at {}", config.identity().keystone().get().authUrl());
        } else if (identityWiring.adminPassword().isPresent()) {
            Path openrc = Openrc.write(config.dataDir(), baseUrl + IdentityApi.PREFIX + "/v3", identityWiring.adminPassword().get(),
                    config.identity().region());
            LOG.info("admin credentials written to {} (source it, then: openstack image list)", openrc);
        } else {
            LOG.info("admin credentials: {} (written on first start)", config.dataDir().resolve("openrc-admin"));
        }
        LOG.info("Glint serving the Image API v2 on http://{}:{} (database {}, data dir {})",
                config.server().host(), server.port(), core.database().dialect(), config.dataDir());
        LOG.info("node {} (lease {} s{})", storage.node(), config.cluster().nodeLeaseTime().toSeconds(),
                storage.sharedStaging() ? ", shared staging " + config.imports().stagingDir() : "");
        return new Listener(server, operations);
    }

    /** The scrubber of this node: journals under {@code node}, so this node's next start finishes what a crash cut off. */
    static Scrubber scrubber(GlintConfig config, glint.image.ImageRepository images, StoreRegistry stores,
                             JdbcDataJournal journal, String node) {
        return new Scrubber(images, new DataRemoval(stores, journal), node, config.scrub().scrubTime(),
                config.scrub().poolSize(), Clock.systemUTC());
    }

    /** The metadata definitions API (/v2/metadefs, /v2/schemas/metadefs). */
    private static void registerMetadefs(Router router, ObjectMapper json, PolicyEngine policy, Database database,
            GlintConfig config, MetadefEvents events) {
        MetadefService metadefs = new MetadefService(policy, new JdbcMetadefRepository(database), Clock.systemUTC(), events);
        MetadefSchemas schemas = new MetadefSchemas(json);
        MetadefRequests requests = new MetadefRequests(schemas, new SchemaValidator(), json);
        MetadefViews views = new MetadefViews(json);
        new MetadefSchemasApi(schemas).register(router);
        new MetadefNamespacesApi(metadefs, requests, views, config.images().limitParamDefault(),
                config.images().apiLimitMax()).register(router);
        new MetadefObjectsApi(metadefs, requests, views).register(router);
        new MetadefPropertiesApi(metadefs, requests, views).register(router);
        new MetadefTagsApi(metadefs, requests, views).register(router);
        new MetadefResourceTypesApi(metadefs, requests, views).register(router);
    }

    /** {@code glint metadefs load DIR}: migrates the database and loads Glance's metadef files, without serving. */
    public static List<MetadefLoader.Outcome> loadMetadefs(GlintConfig config, Path dir) throws java.io.IOException {
        ObjectMapper json = Json.mapper();
        try (Database database = Database.open(config.database())) {
            database.migrate();
            PolicyEngine policy = policyEngine(config, propertyProtections(config));
            // as glance-manage db_load_metadefs: no notifications
            MetadefService metadefs = new MetadefService(policy, new JdbcMetadefRepository(database), Clock.systemUTC(),
                    MetadefEvents.NONE);
            return new MetadefLoader(metadefs, new MetadefRequests(new MetadefSchemas(json), new SchemaValidator(), json),
                    json).load(dir);
        }
    }

    /** Glance's {@code property_protection_file}, or none; an invalid file refuses to start. */
    private static PropertyProtections propertyProtections(GlintConfig config) {
        return config.propertyProtection().map(p -> PropertyProtections.load(p.file(),
                PropertyProtections.RuleFormat.parse(p.ruleFormat()))).orElse(PropertyProtections.none());
    }

    /** The policy: defaults plus {@code [oslo_policy] policy_file}, which may define the property protections' rules. */
    private static PolicyEngine policyEngine(GlintConfig config, PropertyProtections protections) throws java.io.IOException {
        return config.policyFile().isPresent()
                ? PolicyEngine.fromFile(config.policyFile().get(), protections.policyRuleNames())
                : PolicyEngine.withOverrides(java.util.Map.of(), protections.policyRuleNames());
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** {@code [image_format]}: Glance's options of the inspector's rules. */
    private static FormatOptions formatOptions(GlintConfig.ImageFormatConfig c) {
        return new FormatOptions(c.requireFormatMatch(), Set.copyOf(c.gptSafetyChecksNonfatal()), c.vmdkAllowedTypes());
    }

    /**
     * Names this node in the data journal, its tasks and its lease: stable across restarts of the same server on the
     * same data dir, distinct for nodes on one host with their own data dirs.
     */
    static String nodeId(GlintConfig config) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + config.dataDir();
    }

    /** The API's route table (after start: every area registered). */
    public java.util.List<glint.http.Route> routes() {
        return server.routes();
    }

    public int port() {
        return server.port();
    }

    /** The port of the metrics listener; empty with {@code [metrics] enabled = false}. */
    public java.util.OptionalInt metricsPort() {
        return operations.metricsPort();
    }

    /** The configured connection limits; a client socket timeout of 0 is Glance's "wait forever", as Jetty's 0. */
    private static ConnectionLimits connectionLimits(GlintConfig.ConnectionsConfig c) {
        return new ConnectionLimits(c.clientSocketTimeout(),
                c.maxConnections(), ConnectionLimits.DEFAULTS.pressureIdleTimeout(), c.headerTimeout(), c.maxHeaderLine(),
                Math.max(ConnectionLimits.DEFAULTS.maxHeadSize(), 4 * c.maxHeaderLine()), c.maxRequestBodySize(),
                c.minRequestDataRate());
    }

    /** The built-in identity; none in keystone mode. */
    public IdentityService identity() {
        if (identity == null) {
            throw new IllegalStateException("no built-in identity: [identity] mode = keystone");
        }
        return identity;
    }

    public GlintConfig config() {
        return config;
    }

    /**
     * Stops the stages in the reverse order of {@link #start}: the listener first, so nothing new arrives; the
     * background work; the imports, then the lease (renewed while the imports' tasks wind down, so that no other node
     * recovers work still running); the core (notifications, database), and last the metrics listener, which
     * reports until the end.
     */
    @Override
    public void close() {
        try {
            server.close();
        } catch (java.util.concurrent.TimeoutException e) {
            // Jetty's graceful stop waited its stop timeout; requests still running (uploads) were cut off and
            // ended as failures, which put their images back to queued
            LOG.info("requests still in flight at shutdown were aborted");
        } catch (Exception e) {
            LOG.warn("error stopping HTTP server", e);
        }
        prefetcher.ifPresent(CachePrefetcher::close);
        cache.ifPresent(ImageCache::close);
        scrubber.ifPresent(PeriodicScrubber::close);
        imports.close();
        // the lease is not given up: what the stop left (tasks still running) is recovered at the next start, or
        // by another node once the lease expires if this node does not come back
        lease.close();
        notifications.close(); // after the last use case that notifies; sends what is buffered if it can
        database.close();
        operations.close();
    }
}
