package glint;

import com.fasterxml.jackson.databind.ObjectMapper;
import glint.api.ImageRequests;
import glint.api.ImageView;
import glint.api.ImagesApi;
import glint.api.ListQueryParser;
import glint.api.MembersApi;
import glint.api.SchemasApi;
import glint.api.VersionsApi;
import glint.api.schema.ImageSchemas;
import glint.api.schema.SchemaValidator;
import glint.api.IdentityAdminApi;
import glint.api.IdentityApi;
import glint.api.ImageDataApi;
import glint.api.InfoApi;
import glint.config.GlintConfig;
import glint.data.HashAlgorithm;
import glint.data.UploadPipeline;
import glint.db.Database;
import glint.db.JdbcDataJournal;
import glint.db.IdentityRepository;
import glint.db.JdbcImageRepository;
import glint.db.JdbcMemberRepository;
import glint.http.HttpServer;
import glint.http.Json;
import glint.http.Router;
import glint.identity.BuiltinAuthenticator;
import glint.identity.IdentityAdmin;
import glint.identity.IdentityBootstrap;
import glint.identity.IdentityService;
import glint.identity.Openrc;
import glint.identity.PasswordHasher;
import glint.identity.TokenService;
import glint.image.ImageAccess;
import glint.image.ImageDataService;
import glint.image.ImageService;
import glint.image.MemberService;
import glint.policy.PolicyEngine;
import glint.policy.PropertyProtections;
import glint.store.StoreRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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

    private App(GlintConfig config, HttpServer server, Database database, IdentityService identity) {
        this.config = config;
        this.server = server;
        this.database = database;
        this.identity = identity;
    }

    public static App start(GlintConfig config) throws Exception {
        ObjectMapper json = Json.mapper();
        Database database = Database.open(config.database());
        database.migrate();

        IdentityRepository identityStore = new IdentityRepository(database);
        PasswordHasher hasher = new PasswordHasher(config.identity().passwordHashRounds());
        IdentityService identity = new IdentityService(identityStore, hasher);
        Optional<String> adminPassword = new IdentityBootstrap(identity).run(config.identity().adminPassword());
        TokenService tokens = new TokenService(identity, identityStore, config.identity().tokenTtl(), Clock.systemUTC());
        String[] identityUri = {config.server().baseUrl() + IdentityApi.PREFIX};
        BuiltinAuthenticator authenticator = new BuiltinAuthenticator(tokens, Clock.systemUTC(), Duration.ofSeconds(10),
                () -> identityUri[0]);
        Router router = new Router(json, authenticator);
        new IdentityApi(identity, tokens, authenticator, config.server().publicEndpoint(), config.identity().region())
                .register(router);
        new IdentityAdminApi(new IdentityAdmin(identityStore, hasher, Clock.systemUTC()), tokens, authenticator, config.server().publicEndpoint())
                .register(router);

        JdbcImageRepository imageRepository = new JdbcImageRepository(database);
        PropertyProtections protections = config.propertyProtection().map(p -> PropertyProtections.load(p.file(),
                PropertyProtections.RuleFormat.parse(p.ruleFormat()))).orElse(PropertyProtections.none());
        PolicyEngine policy = config.policyFile().isPresent()
                ? PolicyEngine.fromFile(config.policyFile().get(), protections.policyRuleNames())
                : PolicyEngine.withOverrides(java.util.Map.of(), protections.policyRuleNames());
        ImageAccess access = new ImageAccess(policy, imageRepository);
        ImageService images = new ImageService(imageRepository, access, protections.withPolicy(policy), config.images(),
                Clock.systemUTC());
        ExecutorService hashers = Executors.newCachedThreadPool(daemonThreads("hash"));
        ImageDataService imageData = new ImageDataService(images, access, imageRepository, new JdbcDataJournal(database),
                StoreRegistry.from(config.stores()), new UploadPipeline(hashers),
                HashAlgorithm.of(config.images().hashingAlgorithm()), config.images().imageSizeCap(), nodeId(config),
                Clock.systemUTC());
        imageData.recover();

        ImageSchemas schemas = new ImageSchemas(json, config.images().diskFormats(), config.images().containerFormats());
        ImageView view = new ImageView(config.stores().multiStore());
        new VersionsApi(config.server().publicEndpoint(), config.stores().multiStore()).register(router);
        new SchemasApi(schemas).register(router);
        new ImagesApi(images, imageData, new ImageRequests(schemas, new SchemaValidator(), json),
                new ListQueryParser(config.images()), view).register(router);
        new ImageDataApi(imageData, config.stores().multiStore()).register(router);
        new InfoApi(config.stores()).register(router);
        new MembersApi(new MemberService(access, new JdbcMemberRepository(database), config.images().memberQuota(),
                Clock.systemUTC())).register(router);

        HttpServer server = new HttpServer(config.server().host(), config.server().port(), router);
        server.start();
        String host = List.of("0.0.0.0", "::", "[::]").contains(config.server().host()) ? "127.0.0.1" : config.server().host();
        String baseUrl = config.server().publicEndpoint().orElse("http://" + host + ":" + server.port());
        identityUri[0] = baseUrl + IdentityApi.PREFIX;
        if (adminPassword.isPresent()) {
            Path openrc = Openrc.write(config.dataDir(), baseUrl + IdentityApi.PREFIX + "/v3", adminPassword.get(), config.identity().region());
            LOG.info("admin credentials written to {} (source it, then: openstack image list)", openrc);
        } else {
            LOG.info("admin credentials: {} (written on first start)", config.dataDir().resolve("openrc-admin"));
        }
        LOG.info("Glint serving the Image API v2 on http://{}:{} (database {}, data dir {})",
                config.server().host(), server.port(), database.dialect(), config.dataDir());
        return new App(config, server, database, identity);
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Names this node in the data journal: stable across restarts of the same server on the same data dir. */
    static String nodeId(GlintConfig config) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host + ":" + config.dataDir();
    }

    public int port() {
        return server.port();
    }

    public IdentityService identity() {
        return identity;
    }

    public GlintConfig config() {
        return config;
    }

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
        database.close();
    }
}
