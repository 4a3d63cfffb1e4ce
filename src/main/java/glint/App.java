package glint;

import com.fasterxml.jackson.databind.ObjectMapper;
import glint.auth.Authenticator;
import glint.auth.RequestContext;
import glint.config.GlintConfig;
import glint.db.Database;
import glint.http.HttpServer;
import glint.http.Json;
import glint.http.Router;
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

        HttpServer server = new HttpServer(config.server().host(), config.server().port(), router);
        server.start();
        LOG.info("Glint serving the Image API v2 on http://{}:{} (database {}, data dir {})",
                config.server().host(), server.port(), database.dialect(), config.dataDir());
        return new App(config, server, database);
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
