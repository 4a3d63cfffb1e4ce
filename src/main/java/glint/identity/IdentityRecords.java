package glint.identity;

import java.time.Instant;
import java.util.Optional;

/** The identity's values. */
public final class IdentityRecords {
    private IdentityRecords() {}

    public record Domain(String id, String name, boolean enabled) {}

    public record Project(String id, String name, String domainId, Optional<String> description, boolean enabled) {}

    /** {@code tokensNotBefore}: tokens issued earlier are revoked (set when the password changes or the user is disabled). */
    public record User(String id, String name, String domainId, Optional<String> passwordHash, boolean enabled,
                       Optional<String> defaultProjectId, Optional<Instant> tokensNotBefore) {

        /**
         * This user changed at {@code now}, with Keystone's revocation (identity/core.py {@code update_user}): a new
         * password, or the user disabled, revokes every token issued until now, for good (enabling the user again
         * does not bring them back).
         */
        public User changed(String name, Optional<String> passwordHash, boolean enabled, Optional<String> defaultProjectId,
                            Instant now) {
            boolean revokes = !passwordHash.equals(this.passwordHash) || (this.enabled && !enabled);
            return new User(id, name, domainId, passwordHash, enabled, defaultProjectId,
                    revokes ? Optional.of(now) : tokensNotBefore);
        }
    }

    public record Role(String id, String name) {}

    /** A direct role assignment: {@code targetType} is {@code project} (target a project id) or {@code system} ({@code all}). */
    public record Assignment(String userId, String targetType, String targetId, String roleId) {}
}
