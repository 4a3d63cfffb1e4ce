package glint.quota;

import java.util.Map;

/**
 * Where per-project limits come from: the built-in identity's {@code /v3/limits} and {@code /v3/registered_limits}
 * ({@code glint.identity.BuiltinLimits}) or an external Keystone's ({@code glint.auth.keystone.KeystoneLimits}).
 */
public interface LimitReader {
    /**
     * The limit of every resource for the project, as oslo.limit's flat enforcer takes it: the project's limit, else the
     * registered default, else 0 (a resource nobody registered allows nothing); -1 is no limit.
     *
     * @throws glint.error.GlintException UNAVAILABLE when the limits cannot be read
     */
    Map<QuotaResource, Long> limits(String projectId);

    /**
     * oslo.limit's flat model from what Keystone answered for the service and region: for each resource, the
     * project's limit, else the registered limit, else 0.
     *
     * @param projectLimits resource name → {@code resource_limit} of the project's limits
     * @param registered resource name → {@code default_limit} of the registered limits
     */
    static Map<QuotaResource, Long> flat(Map<String, Long> projectLimits, Map<String, Long> registered) {
        Map<QuotaResource, Long> out = new java.util.EnumMap<>(QuotaResource.class);
        for (QuotaResource r : QuotaResource.values()) {
            Long limit = projectLimits.get(r.wire());
            out.put(r, limit != null ? limit : registered.getOrDefault(r.wire(), 0L));
        }
        return out;
    }
}
