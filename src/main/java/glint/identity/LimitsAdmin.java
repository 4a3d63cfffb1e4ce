package glint.identity;

import glint.error.GlintException;
import glint.identity.LimitRecords.ProjectLimit;
import glint.identity.LimitRecords.ProjectLimitView;
import glint.identity.LimitRecords.RegisteredLimit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Keystone's unified limits for the built-in identity (keystone/limit/core.py and its SQL driver), flat model: the
 * service, region and project a limit names must exist (400), a registered limit is unique per service, region and
 * resource (409), a project limit needs a registered limit of its service, region and resource (403) and is unique per
 * project (409), and a registered limit that project limits refer to can be neither changed nor deleted (403).
 * Authorization is the API's business, as in {@link CatalogAdmin}.
 */
public final class LimitsAdmin {
    /** A registered limit as a request gives it (every field optional for an update; a present empty region: none). */
    public record RegisteredChange(Optional<String> serviceId, Optional<Optional<String>> regionId,
                                   Optional<String> resourceName, Optional<Long> defaultLimit,
                                   Optional<Optional<String>> description) {}

    /** A project limit as a request gives it. */
    public record NewLimit(String serviceId, Optional<String> regionId, String projectId, String resourceName,
                           long resourceLimit, Optional<String> description) {}

    private final LimitStore limits;
    private final CatalogStore catalog;
    private final IdentityStore identity;

    public LimitsAdmin(LimitStore limits, CatalogStore catalog, IdentityStore identity) {
        this.limits = limits;
        this.catalog = catalog;
        this.identity = identity;
    }

    public List<RegisteredLimit> registeredLimits(Optional<String> serviceId, Optional<String> regionId,
                                                  Optional<String> resourceName) {
        return limits.registeredLimits().stream()
                .filter(l -> serviceId.isEmpty() || serviceId.get().equals(l.serviceId()))
                .filter(l -> regionId.isEmpty() || regionId.equals(l.regionId()))
                .filter(l -> resourceName.isEmpty() || resourceName.get().equals(l.resourceName())).toList();
    }

    public RegisteredLimit registeredLimit(String id) {
        return limits.registeredLimit(id).orElseThrow(() -> notFound("registered limit", id));
    }

    /** @param created each with service, resource and default limit */
    public List<RegisteredLimit> createRegisteredLimits(List<RegisteredChange> created) {
        List<RegisteredLimit> all = new ArrayList<>(limits.registeredLimits());
        List<RegisteredLimit> made = new ArrayList<>();
        for (RegisteredChange c : created) {
            RegisteredLimit l = new RegisteredLimit(IdentityService.newId(), c.serviceId().orElseThrow(),
                    c.regionId().flatMap(r -> r), c.resourceName().orElseThrow(), c.defaultLimit().orElseThrow(),
                    c.description().flatMap(d -> d));
            checkParties(l.serviceId(), l.regionId(), "registered_limit");
            if (all.stream().anyMatch(o -> sameResource(o, l))) {
                throw GlintException.conflict("Conflict occurred attempting to store registered_limit - Duplicate entry.");
            }
            all.add(l);
            made.add(l);
        }
        limits.createRegisteredLimits(made);
        return made;
    }

    public RegisteredLimit updateRegisteredLimit(String id, RegisteredChange change) {
        RegisteredLimit old = registeredLimit(id);
        if (limits.referenced(id)) {
            throw referenced(id);
        }
        RegisteredLimit updated = new RegisteredLimit(id, change.serviceId().orElse(old.serviceId()),
                change.regionId().orElse(old.regionId()), change.resourceName().orElse(old.resourceName()),
                change.defaultLimit().orElse(old.defaultLimit()), change.description().orElse(old.description()));
        checkParties(updated.serviceId(), updated.regionId(), "registered_limit");
        if (limits.registeredLimits().stream().anyMatch(o -> !o.id().equals(id) && sameResource(o, updated))) {
            throw GlintException.conflict("Conflict occurred attempting to store registered_limit - Duplicate entry.");
        }
        limits.updateRegisteredLimit(updated);
        return updated;
    }

    public void deleteRegisteredLimit(String id) {
        registeredLimit(id);
        if (!limits.deleteRegisteredLimit(id)) {
            throw referenced(id);
        }
    }

    /** The project limits, with their registered limits' service, region and resource; filters as Keystone's. */
    public List<ProjectLimitView> limits(Optional<String> serviceId, Optional<String> regionId, Optional<String> resourceName,
                                         Optional<String> projectId) {
        Map<String, RegisteredLimit> registered = limits.registeredLimits().stream()
                .collect(Collectors.toMap(RegisteredLimit::id, Function.identity()));
        List<ProjectLimitView> out = new ArrayList<>();
        for (ProjectLimit l : limits.limits()) {
            RegisteredLimit r = registered.get(l.registeredLimitId());
            if (r == null || serviceId.filter(s -> !s.equals(r.serviceId())).isPresent()
                    || regionId.filter(g -> !regionId.equals(r.regionId())).isPresent()
                    || resourceName.filter(n -> !n.equals(r.resourceName())).isPresent()
                    || projectId.filter(p -> !p.equals(l.projectId())).isPresent()) {
                continue;
            }
            out.add(new ProjectLimitView(l, r));
        }
        return out;
    }

    public ProjectLimitView limit(String id) {
        ProjectLimit l = limits.limit(id).orElseThrow(() -> notFound("limit", id));
        return new ProjectLimitView(l, registeredLimit(l.registeredLimitId()));
    }

    public List<ProjectLimitView> createLimits(List<NewLimit> created) {
        List<RegisteredLimit> registered = limits.registeredLimits();
        List<ProjectLimitView> made = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (NewLimit n : created) {
            checkParties(n.serviceId(), n.regionId(), "limit");
            if (identity.project(n.projectId()).isEmpty()) {
                throw validation("project_id", "limit");
            }
            RegisteredLimit r = registered.stream().filter(o -> o.serviceId().equals(n.serviceId())
                    && o.regionId().equals(n.regionId()) && o.resourceName().equals(n.resourceName())).findFirst()
                    .orElseThrow(() -> GlintException.forbidden(
                            "Unable to create a limit that has no corresponding registered limit."));
            if (!keys.add(r.id() + "/" + n.projectId())) {
                throw duplicateLimit();
            }
            made.add(new ProjectLimitView(new ProjectLimit(IdentityService.newId(), r.id(), n.projectId(), n.resourceLimit(),
                    n.description()), r));
        }
        if (!limits.createLimits(made.stream().map(ProjectLimitView::limit).toList())) {
            throw duplicateLimit();
        }
        return made;
    }

    /** Keystone's {@code update_limit}: only the value and the description change. */
    public ProjectLimitView updateLimit(String id, Optional<Long> resourceLimit, Optional<Optional<String>> description) {
        ProjectLimitView old = limit(id);
        ProjectLimit l = old.limit();
        ProjectLimit updated = new ProjectLimit(id, l.registeredLimitId(), l.projectId(), resourceLimit.orElse(l.resourceLimit()),
                description.orElse(l.description()));
        limits.updateLimit(updated);
        return new ProjectLimitView(updated, old.registered());
    }

    public void deleteLimit(String id) {
        limit(id);
        limits.deleteLimit(id);
    }

    private static boolean sameResource(RegisteredLimit a, RegisteredLimit b) {
        return a.serviceId().equals(b.serviceId()) && a.regionId().equals(b.regionId())
                && a.resourceName().equals(b.resourceName());
    }

    /** Keystone's {@code _assert_resource_exist}: 400 ValidationError naming the attribute. */
    private void checkParties(String serviceId, Optional<String> regionId, String target) {
        if (catalog.service(serviceId).isEmpty()) {
            throw validation("service_id", target);
        }
        if (regionId.isPresent() && catalog.region(regionId.get()).isEmpty()) {
            throw validation("region_id", target);
        }
    }

    private static GlintException referenced(String id) {
        return GlintException.forbidden("Unable to update or delete registered limit " + id
                + " because there are project limits associated with it.");
    }

    private static GlintException duplicateLimit() {
        return GlintException.conflict("Conflict occurred attempting to store limit - Duplicate entry.");
    }

    private static GlintException notFound(String kind, String id) {
        return GlintException.notFound("Could not find " + kind + ": " + id + ".");
    }

    private static GlintException validation(String attribute, String target) {
        return GlintException.badRequest("Expecting to find " + attribute + " in " + target + ". The server could not "
                + "comply with the request since it is either malformed or otherwise incorrect. The client is assumed to "
                + "be in error.");
    }
}
