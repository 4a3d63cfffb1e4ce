package glint.auth.keystone;

import com.fasterxml.jackson.databind.JsonNode;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.identity.BuiltinLimits.EndpointChoice;
import glint.quota.LimitReader;
import glint.quota.QuotaResource;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Limits from an external Keystone ({@code [identity] mode = keystone}), with oslo.limit's calls (oslo_limit/limit.py):
 * the endpoint ({@code GET /v3/endpoints/{endpoint_id}}, else {@code /v3/services?type=&name=},
 * {@code /v3/regions/{region}} and {@code /v3/endpoints?service_id=&region_id=&interface=}), then
 * {@code GET /v3/limits?service_id=&region_id=&project_id=} and {@code /v3/registered_limits?service_id=&region_id=}
 * at each check, as oslo.limit's enforcer (made per check in Glance) does. Read with the {@code [oslo_limit]} user's
 * token (by default the {@code [keystone_authtoken]} service user), which must be allowed to read endpoints (admin).
 * Keystone unreachable or refusing: 503, as any Keystone failure.
 */
public final class KeystoneLimits implements LimitReader {
    private static final String UNAVAILABLE = "The Keystone service is temporarily unavailable.";

    private final KeystoneClient keystone;
    private final ServiceToken token;
    private final EndpointChoice choice;

    public KeystoneLimits(KeystoneClient keystone, EndpointChoice choice, Clock clock) {
        this.keystone = keystone;
        this.token = new ServiceToken(keystone, clock);
        this.choice = choice;
    }

    @Override
    public Map<QuotaResource, Long> limits(String projectId) {
        try {
            JsonNode endpoint = endpoint();
            String scope = "service_id=" + q(endpoint.path("service_id").asText())
                    + (endpoint.path("region_id").isTextual() ? "&region_id=" + q(endpoint.path("region_id").asText()) : "");
            Map<String, Long> project = new HashMap<>();
            get("/limits?" + scope + "&project_id=" + q(projectId)).path("limits")
                    .forEach(l -> project.put(l.path("resource_name").asText(), l.path("resource_limit").asLong()));
            Map<String, Long> registered = new HashMap<>();
            get("/registered_limits?" + scope).path("registered_limits")
                    .forEach(l -> registered.put(l.path("resource_name").asText(), l.path("default_limit").asLong()));
            return LimitReader.flat(project, registered);
        } catch (KeystoneUnavailableException e) {
            throw new GlintException(ErrorKind.UNAVAILABLE, UNAVAILABLE, Map.of(), e);
        }
    }

    private JsonNode endpoint() {
        if (choice.endpointId().isPresent()) {
            return get("/endpoints/" + q(choice.endpointId().get())).path("endpoint");
        }
        StringBuilder services = new StringBuilder("/services?");
        Optional<String> type = choice.serviceType().or(() -> choice.serviceName().isEmpty() ? Optional.of("image") : Optional.empty());
        type.ifPresent(t -> services.append("type=").append(q(t)).append('&'));
        choice.serviceName().ifPresent(n -> services.append("name=").append(q(n)));
        JsonNode found = get(services.toString()).path("services");
        if (found.size() != 1) {
            throw misconfigured(found.isEmpty() ? "Service not found" : "Multiple services found");
        }
        String query = "/endpoints?service_id=" + q(found.get(0).path("id").asText()) + "&interface=" + q(choice.iface());
        if (choice.regionName().isPresent()) {
            query += "&region_id=" + q(get("/regions/" + q(choice.regionName().get())).path("region").path("id").asText());
        }
        JsonNode endpoints = get(query).path("endpoints");
        if (endpoints.size() != 1) {
            throw misconfigured(endpoints.isEmpty() ? "Endpoint not found" : "Multiple endpoints found");
        }
        return endpoints.get(0);
    }

    /** A GET with the token, fetched again once when Keystone refuses it (401). */
    private JsonNode get(String path) {
        String t = token.get();
        KeystoneClient.Validation answer = keystone.get(t, path);
        if (answer.status() == 401) {
            token.invalidate(t);
            answer = keystone.get(token.get(), path);
        }
        if (answer.token().isEmpty()) {
            throw misconfigured("Keystone answered " + answer.status() + " to GET /v3" + path);
        }
        return answer.token().get();
    }

    private static GlintException misconfigured(String what) {
        return new GlintException(ErrorKind.INTERNAL, "[oslo_limit]: " + what + " for the image service's limits");
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
