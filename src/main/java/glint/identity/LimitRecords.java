package glint.identity;

import java.util.Optional;

/** Keystone's unified limits, as its SQL driver keeps them (keystone/limit/backends/sql.py). */
public final class LimitRecords {
    private LimitRecords() {}

    /** A service's default limit of a resource, in a region or in none. */
    public record RegisteredLimit(String id, String serviceId, Optional<String> regionId, String resourceName,
                                  long defaultLimit, Optional<String> description) {}

    /** A project's own limit of a registered resource. */
    public record ProjectLimit(String id, String registeredLimitId, String projectId, long resourceLimit,
                               Optional<String> description) {}

    /** A project limit with its registered limit's service, region and resource, as Keystone shows it. */
    public record ProjectLimitView(ProjectLimit limit, RegisteredLimit registered) {}
}
