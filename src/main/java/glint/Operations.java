package glint;

import glint.config.GlintConfig.MetricsConfig;
import glint.metrics.Metrics;
import glint.http.HttpServer;
import glint.metrics.MetricsHandler;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What App runs for operators beside the API: the metrics and, when they are on, their own listener. */
final class Operations implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);

    /** Scrapes are few and quick. */
    private static final int METRICS_THREADS = 8;

    private final Metrics metrics;
    private final Optional<HttpServer> server;

    private Operations(Metrics metrics, Optional<HttpServer> server) {
        this.metrics = metrics;
        this.server = server;
    }

    /** Starts the metrics listener when {@code [metrics] enabled}. */
    static Operations start(MetricsConfig config, Metrics metrics) throws Exception {
        if (!metrics.enabled()) {
            return new Operations(metrics, Optional.empty());
        }
        HttpServer server = new HttpServer(config.bindHost(), config.bindPort(), new MetricsHandler(metrics), "metrics",
                METRICS_THREADS);
        try {
            server.start();
        } catch (Exception e) {
            server.close();
            throw new IllegalArgumentException("[metrics] cannot listen on " + config.bindHost() + ":" + config.bindPort()
                    + ": " + e.getMessage(), e);
        }
        LOG.info("metrics (Prometheus) on http://{}:{}{}", config.bindHost(), server.port(), MetricsHandler.PATH);
        return new Operations(metrics, Optional.of(server));
    }

    OptionalInt metricsPort() {
        return server.map(s -> OptionalInt.of(s.port())).orElse(OptionalInt.empty());
    }

    @Override
    public void close() {
        server.ifPresent(s -> {
            try {
                s.close();
            } catch (Exception e) {
                LOG.warn("error stopping the metrics listener", e);
            }
        });
        metrics.close();
    }
}
