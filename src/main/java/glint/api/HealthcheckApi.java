package glint.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import glint.error.GlintException;
import glint.health.HealthReport;
import glint.health.Healthcheck;
import glint.health.ProcessDetails;
import glint.http.Exchange;
import glint.http.Router;
import java.time.Clock;

/**
 * {@code GET} and {@code HEAD /healthcheck}: oslo.middleware's healthcheck app, mounted as Glance's paste file mounts
 * it, beside the API and before authentication. 200 (HEAD: 204) with {@code OK}, or 503 with the reasons. A token is
 * not needed; a valid admin token, with {@code [healthcheck] detailed = true}, gets oslo's detailed answer.
 */
public final class HealthcheckApi {
    private final Healthcheck health;
    private final HealthcheckView view;
    private final Clock clock;

    public HealthcheckApi(Healthcheck health, ObjectMapper json, Clock clock) {
        this.health = health;
        this.view = new HealthcheckView(json);
        this.clock = clock;
    }

    public void register(Router router) {
        router.addOptionallyAuthenticated("GET", "/healthcheck", ex -> answer(ex, false));
        router.addOptionallyAuthenticated("HEAD", "/healthcheck", ex -> answer(ex, true));
    }

    private void answer(Exchange ex, boolean head) {
        if (!health.answers(ex.remoteAddress(), name -> ex.header(name).filter(v -> !v.isEmpty()).isPresent())) {
            throw GlintException.notFound("The resource could not be found.");
        }
        HealthReport report = health.check(ex.localPort());
        if (head) {
            ex.send(report.healthy() ? 204 : 503, "text/plain; charset=UTF-8", new byte[0]);
            return;
        }
        boolean admin = ex.context() != null && ex.context().isAdmin();
        ProcessDetails details = health.showsDetailsTo(admin) ? ProcessDetails.now(clock) : null;
        HealthcheckView.Rendered rendered = view.render(report, details, ex.header("Accept").orElse(null));
        ex.send(report.healthy() ? 200 : 503, rendered.contentType(), rendered.body());
    }
}
