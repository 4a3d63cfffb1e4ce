package glint.identity;

import glint.identity.CatalogRecords.Endpoint;
import glint.identity.CatalogRecords.Service;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service catalog of a token, as Keystone's {@code get_v3_catalog} builds it (keystone/catalog/backends/sql.py):
 * the enabled services, each with its enabled endpoints, their URLs' substitutions filled in
 * (keystone/common/utils.py {@code format_url}). The substitutions Keystone allows are {@code $(public_endpoint)s},
 * {@code $(project_id)s}, {@code $(tenant_id)s}, {@code $(user_id)s} and {@code $(compute_host)s}; here
 * {@code $(public_endpoint)s} is how clients reach this server (Glance's and Keystone's {@code public_endpoint}, else
 * the URL the client used), which is what the seeded image and identity endpoints are. An endpoint naming the
 * project in a token without one is left out silently; one with a substitution there is no value for is left out
 * and logged, as Keystone does.
 */
public final class Catalog {
    private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);
    public static final List<String> INTERFACES = List.of("public", "internal", "admin");
    /** Keystone's {@code WHITELISTED_PROPERTIES}. */
    static final Set<String> SUBSTITUTIONS = Set.of("tenant_id", "project_id", "user_id", "compute_host", "public_endpoint");
    /** {@code $(name)s}, or {@code %(name)s} as Swift's install guide registers its endpoint (Keystone's format_url
     *  turns {@code $(} into {@code %(} and formats the URL with Python's {@code %}). */
    private static final Pattern SUBSTITUTION = Pattern.compile("[$%]\\(([^)]*)\\)s");

    /** A service of the catalog with its endpoints as a token shows them. */
    public record Entry(Service service, List<Endpoint> endpoints) {}

    private final CatalogStore store;

    public Catalog(CatalogStore store) {
        this.store = store;
    }

    /**
     * The catalog of a token of {@code userId}, scoped to {@code projectId} when present.
     *
     * @param publicEndpoint how the client reaches this server, without a trailing slash
     */
    public List<Entry> of(String userId, Optional<String> projectId, String publicEndpoint) {
        Map<String, String> values = new HashMap<>(Map.of("user_id", userId, "public_endpoint", publicEndpoint));
        projectId.ifPresent(p -> {
            values.put("project_id", p);
            values.put("tenant_id", p);
        });
        List<Endpoint> endpoints = store.endpoints();
        List<Entry> entries = new ArrayList<>();
        for (Service service : store.services()) {
            if (!service.enabled()) {
                continue;
            }
            List<Endpoint> shown = new ArrayList<>();
            for (Endpoint e : endpoints) {
                if (e.enabled() && e.serviceId().equals(service.id())) {
                    format(e.url(), values).ifPresent(url -> shown.add(e.withUrl(url)));
                }
            }
            entries.add(new Entry(service, List.copyOf(shown)));
        }
        return entries;
    }

    /** Keystone's {@code check_endpoint_url}: every substitution in the URL is one Keystone allows. */
    static boolean substitutionsAllowed(String url) {
        Matcher m = SUBSTITUTION.matcher(url);
        while (m.find()) {
            if (!SUBSTITUTIONS.contains(m.group(1))) {
                return false;
            }
        }
        return true;
    }

    private static Optional<String> format(String url, Map<String, String> values) {
        Matcher m = SUBSTITUTION.matcher(url);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                if (!m.group(1).equals("project_id") && !m.group(1).equals("tenant_id")) {
                    LOG.error("Malformed endpoint {} - unknown key {}", url, m.group(1));
                }
                return Optional.empty();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return Optional.of(out.toString());
    }

    /** Keystone-shaped ids (32 hex digits) that are the same on every node and every start. */
    static String stableId(String name) {
        return UUID.nameUUIDFromBytes(("glint-catalog/" + name).getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
    }
}
