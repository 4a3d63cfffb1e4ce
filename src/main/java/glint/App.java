package glint;

import com.fasterxml.jackson.databind.ObjectMapper;
import glint.api.ImageRequests;
import glint.api.ImageView;
import glint.api.ImagesApi;
import glint.api.ListQueryParser;
import glint.api.SchemasApi;
import glint.api.VersionsApi;
import glint.api.schema.ImageSchemas;
import glint.api.schema.SchemaValidator;
import glint.auth.Authenticator;
import glint.auth.RequestContext;
import glint.config.GlintConfig;
import glint.db.Database;
import glint.db.JdbcDataJournal;
import glint.db.JdbcImageRepository;
import glint.http.HttpServer;
import glint.http.Json;
import glint.http.Router;
import glint.image.ImageAccess;
import glint.image.ImageDataService;
import glint.image.ImageService;
import glint.policy.DefaultPolicy;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** All of Glint, wired by hand in one place: config → database → stores → services → API → HTTP server. */
public final class App implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(App.class);

    private final HttpServer server;
    private final Database database;
    private final GlintConfig config;

    private App(GlintConfig config, HttpServer server, Database database) {
        this.config = config;
        this.server = server;
        this.database = database;
    }

    public static App start(GlintConfig config) throws Exception {
        ObjectMapper json = Json.mapper();
        Database database = Database.open(config.database());
        database.migrate();

        Authenticator authenticator = identity(config, database);
        Router router = new Router(json, authenticator);

        JdbcImageRepository imageRepository = new JdbcImageRepository(database);
        ImageService images = new ImageService(imageRepository, new ImageAccess(new DefaultPolicy(), imageRepository),
                config.images(), Clock.systemUTC());
        ImageDataService imageData = new ImageDataService(images, new JdbcDataJournal(database), nodeId(config));
        imageData.recover();

        ImageSchemas schemas = new ImageSchemas(json, config.images().diskFormats(), config.images().containerFormats());
        ImageView view = new ImageView(config.stores().multiStore());
        new VersionsApi(config.server().publicEndpoint(), config.stores().multiStore()).register(router);
        new SchemasApi(schemas).register(router);
        new ImagesApi(images, imageData, new ImageRequests(schemas, new SchemaValidator(), json),
                new ListQueryParser(config.images()), view).register(router);

        HttpServer server = new HttpServer(config.server().host(), config.server().port(), router);
        server.start();
        LOG.info("Glint serving the Image API v2 on http://{}:{} (database {}, data dir {})",
                config.server().host(), server.port(), database.dialect(), config.dataDir());
        return new App(config, server, database);
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

    /** Placeholder until the built-in identity lands: every token is refused. */
    private static Authenticator identity(GlintConfig config, Database database) {
        return new Authenticator() {
            @Override
            public Optional<RequestContext> authenticate(String token) {
                return Optional.empty();
            }

            @Override
            public String wwwAuthenticateUri() {
                return config.server().baseUrl() + "/identity";
            }
        };
    }

    public int port() {
        return server.port();
    }

    public GlintConfig config() {
        return config;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (Exception e) {
            LOG.warn("error stopping HTTP server", e);
        }
        database.close();
    }
}
