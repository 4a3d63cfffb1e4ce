package glint.api;

import static glint.api.IdentityRequests.invalid;
import static glint.api.IdentityRequests.member;
import static glint.api.IdentityRequests.nullableString;
import static glint.api.IdentityRequests.string;

import com.fasterxml.jackson.databind.JsonNode;
import glint.http.Exchange;
import glint.http.Router;
import glint.identity.Caller;
import glint.identity.IdentityRules;
import glint.identity.IdentityRules.Target;
import glint.identity.LimitRecords.ProjectLimitView;
import glint.identity.LimitsAdmin;
import glint.identity.LimitsAdmin.NewLimit;
import glint.identity.LimitsAdmin.RegisteredChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keystone v3's unified limits for the built-in identity, under {@code /identity/v3}: {@code /registered_limits},
 * {@code /limits} (list, show, create several at once, update, delete) and {@code /limits/model} (keystone/api/
 * registered_limits.py, limits.py; request checks from keystone/limit/schema.py). Keystone's default policies: any
 * valid token reads registered limits and the model, an admin writes; a caller who is neither admin, system-scoped
 * nor {@code service} lists only its project's limits and shows only those.
 */
public final class LimitsApi {
    private static final String V3 = IdentityApi.PREFIX + "/v3";
    private static final long MAX_LIMIT = 0x7FFFFFFF;

    private final LimitsAdmin limits;
    private final IdentityViews views;
    private final IdentityCallers callers;

    public LimitsApi(LimitsAdmin limits, IdentityRules rules, Optional<String> publicEndpoint) {
        this.limits = limits;
        this.views = new IdentityViews(publicEndpoint);
        this.callers = new IdentityCallers(rules, views);
    }

    public void register(Router router) {
        router.addPublic("GET", V3 + "/registered_limits", ex -> {
            callers.authorize(ex, "list_registered_limits");
            ex.sendJson(200, views.collection(ex, "registered_limits", limits.registeredLimits(ex.queryParam("service_id"),
                    ex.queryParam("region_id"), ex.queryParam("resource_name")), l -> views.registeredLimit(ex, l)));
        });
        router.addPublic("POST", V3 + "/registered_limits", ex -> {
            callers.authorize(ex, "create_registered_limits");
            List<RegisteredChange> created = new ArrayList<>();
            for (JsonNode l : items(ex, "registered_limits")) {
                RegisteredChange c = registered(l);
                if (c.serviceId().isEmpty() || c.resourceName().isEmpty() || c.defaultLimit().isEmpty()) {
                    throw invalid("registered_limits", "'service_id', 'resource_name' and 'default_limit' are required properties");
                }
                created.add(c);
            }
            ex.sendJson(201, Map.of("registered_limits", limits.createRegisteredLimits(created).stream()
                    .map(l -> views.registeredLimit(ex, l)).toList()));
        });
        router.addPublic("GET", V3 + "/registered_limits/{id}", ex -> {
            callers.authorize(ex, "get_registered_limit");
            ex.sendJson(200, Map.of("registered_limit", views.registeredLimit(ex, limits.registeredLimit(ex.pathParam("id")))));
        });
        router.addPublic("PATCH", V3 + "/registered_limits/{id}", ex -> {
            callers.authorize(ex, "update_registered_limit");
            RegisteredChange change = registered(member(ex, "registered_limit"));
            ex.sendJson(200, Map.of("registered_limit", views.registeredLimit(ex,
                    limits.updateRegisteredLimit(ex.pathParam("id"), change))));
        });
        router.addPublic("DELETE", V3 + "/registered_limits/{id}", ex -> {
            callers.authorize(ex, "delete_registered_limit");
            limits.deleteRegisteredLimit(ex.pathParam("id"));
            ex.sendEmpty(204);
        });
        registerLimits(router);
    }

    private void registerLimits(Router router) {
        router.addPublic("GET", V3 + "/limits/model", ex -> {
            callers.authorize(ex, "get_limit_model");
            ex.sendJson(200, Map.of("model", IdentityViews.ordered("name", "flat", "description",
                    "Limit enforcement and validation does not take project hierarchy into consideration.")));
        });
        router.addPublic("GET", V3 + "/limits", ex -> {
            Optional<String> project = IdentityRules.limitsProject(callers.authorize(ex, "list_limits"), ex.queryParam("project_id"));
            ex.sendJson(200, views.collection(ex, "limits", limits.limits(ex.queryParam("service_id"),
                    ex.queryParam("region_id"), ex.queryParam("resource_name"), project), l -> views.limit(ex, l)));
        });
        router.addPublic("POST", V3 + "/limits", ex -> {
            callers.authorize(ex, "create_limits");
            List<NewLimit> created = new ArrayList<>();
            for (JsonNode l : items(ex, "limits")) {
                Optional<String> service = string(l, "service_id");
                Optional<String> project = string(l, "project_id");
                Optional<String> resource = string(l, "resource_name");
                Optional<Long> value = number(l, "resource_limit");
                if (service.isEmpty() || project.isEmpty() || resource.isEmpty() || value.isEmpty()) {
                    throw invalid("limits", "'service_id', 'project_id', 'resource_name' and 'resource_limit' are required "
                            + "properties (domain limits are not supported)");
                }
                created.add(new NewLimit(service.get(), string(l, "region_id"), project.get(), resource.get(), value.get(),
                        string(l, "description")));
            }
            ex.sendJson(201, Map.of("limits", limits.createLimits(created).stream().map(l -> views.limit(ex, l)).toList()));
        });
        router.addPublic("GET", V3 + "/limits/{id}", ex -> {
            Caller caller = callers.caller(ex);
            ProjectLimitView limit = limits.limit(ex.pathParam("id"));
            callers.check(caller, "get_limit", Target.project(limit.limit().projectId()));
            ex.sendJson(200, Map.of("limit", views.limit(ex, limit)));
        });
        router.addPublic("PATCH", V3 + "/limits/{id}", ex -> {
            callers.authorize(ex, "update_limit");
            JsonNode l = member(ex, "limit");
            ex.sendJson(200, Map.of("limit", views.limit(ex, limits.updateLimit(ex.pathParam("id"), number(l, "resource_limit"),
                    nullableString(l, "description")))));
        });
        router.addPublic("DELETE", V3 + "/limits/{id}", ex -> {
            callers.authorize(ex, "delete_limit");
            limits.deleteLimit(ex.pathParam("id"));
            ex.sendEmpty(204);
        });
    }

    /** The body's non-empty array under {@code key}. */
    private static List<JsonNode> items(Exchange ex, String key) {
        JsonNode array = ex.readJson().path(key);
        if (!array.isArray() || array.isEmpty()) {
            throw invalid(key, "'" + key + "' is a required property (a non-empty array)");
        }
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    private static RegisteredChange registered(JsonNode l) {
        return new RegisteredChange(string(l, "service_id"), nullableString(l, "region_id"), string(l, "resource_name"),
                number(l, "default_limit"), nullableString(l, "description"));
    }

    /** Keystone's limit integers: -1 (no limit) to 2^31-1. */
    private static Optional<Long> number(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (v.isMissingNode()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || v.asLong() < -1 || v.asLong() > MAX_LIMIT) {
            throw invalid(field, v + " is not an integer from -1 to " + MAX_LIMIT);
        }
        return Optional.of(v.asLong());
    }
}
