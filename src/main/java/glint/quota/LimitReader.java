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
}
