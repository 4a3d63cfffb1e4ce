package glint.api;

import glint.http.Exchange;
import glint.http.Router;
import glint.identity.Caller;
import glint.identity.Catalog;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRules;
import glint.identity.IdentityService;
import glint.identity.TokenService;
import glint.identity.ValidToken;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The part of Keystone's v3 API the OpenStack clients need to log in, under {@code /identity}: version discovery,
 * {@code /v3/auth/tokens} (issue, validate, check, revoke), {@code /v3/auth/projects} and {@code /v3/auth/catalog}.
 * These routes are public to the router; like Keystone, they check {@code X-Auth-Token} themselves where needed, by
 * {@link IdentityRules}. Bodies are decoded by {@link IdentityRequests} and rendered by {@link IdentityViews}.
 */
public final class IdentityApi {
    public static final String PREFIX = "/identity";

    private final IdentityService identity;
    private final TokenService tokens;
    private final Catalog catalog;
    private final IdentityViews views;
    private final IdentityCallers callers;

    public IdentityApi(IdentityService identity, TokenService tokens, IdentityRules rules, Optional<String> publicEndpoint,
                       Catalog catalog) {
        this.identity = identity;
        this.tokens = tokens;
        this.catalog = catalog;
        this.views = new IdentityViews(publicEndpoint);
        this.callers = new IdentityCallers(rules, views);
    }

    public void register(Router router) {
        router.addPublic("GET", PREFIX, ex -> {
            ex.setHeader("Location", views.v3Url(ex) + "/");
            ex.sendJson(300, Map.of("versions", Map.of("values", List.of(views.version(ex)))));
        });
        router.addPublic("GET", PREFIX + "/v3", ex -> ex.sendJson(200, Map.of("version", views.version(ex))));
        router.addPublic("POST", PREFIX + "/v3/auth/tokens", ex -> sendToken(ex, 201,
                callers.challenging(ex, () -> tokens.issue(IdentityRequests.auth(ex)))));
        router.addPublic("GET", PREFIX + "/v3/auth/tokens", ex -> sendToken(ex, 200, callers.subject(ex, "validate_token")));
        router.addPublic("HEAD", PREFIX + "/v3/auth/tokens", ex -> {
            ex.setHeader("X-Subject-Token", callers.subject(ex, "check_token").id());
            ex.sendEmpty(200);
        });
        router.addPublic("DELETE", PREFIX + "/v3/auth/tokens", ex -> {
            tokens.revoke(callers.subject(ex, "revoke_token"));
            ex.sendEmpty(204);
        });
        router.addPublic("GET", PREFIX + "/v3/auth/projects", ex -> {
            List<Project> projects = identity.projectsOf(callers.caller(ex).token().user().id());
            ex.sendJson(200, Map.of("projects", projects.stream().map(p -> views.authProject(ex, p)).toList(),
                    "links", views.links(ex, "/auth/projects")));
        });
        router.addPublic("GET", PREFIX + "/v3/auth/catalog", ex -> {
            Caller caller = callers.caller(ex);
            IdentityRules.checkCatalogScope(caller);
            ex.sendJson(200, Map.of("catalog", views.catalog(catalogOf(ex, caller.token())),
                    "links", views.links(ex, "/auth/catalog")));
        });
    }

    /** The token with {@code X-Subject-Token}, its catalog unless {@code ?nocatalog} or it has no scope. */
    private void sendToken(Exchange ex, int status, ValidToken token) {
        boolean scoped = token.project().isPresent() || token.token().system();
        Optional<List<Catalog.Entry>> entries = scoped && ex.queryParam("nocatalog").isEmpty()
                ? Optional.of(catalogOf(ex, token)) : Optional.empty();
        ex.setHeader("X-Subject-Token", token.id());
        ex.sendJson(status, views.token(token, entries));
    }

    private List<Catalog.Entry> catalogOf(Exchange ex, ValidToken token) {
        return catalog.of(token.user().id(), token.project().map(Project::id), views.baseUrl(ex));
    }
}
