package glint.identity;

import java.time.Instant;
import java.util.Optional;

/** The identity's values. */
public final class IdentityRecords {
    private IdentityRecords() {}

    public record Domain(String id, String name, boolean enabled) {}

    public record Project(String id, String name, String domainId, Optional<String> description, boolean enabled) {}

    /** {@code tokensNotBefore}: tokens issued earlier are revoked (set when the password changes). */
    public record User(String id, String name, String domainId, Optional<String> passwordHash, boolean enabled,
                       Optional<String> defaultProjectId, Optional<Instant> tokensNotBefore) {}

    public record Role(String id, String name) {}

    /** A direct role assignment: {@code targetType} is {@code project} (target a project id) or {@code system} ({@code all}). */
    public record Assignment(String userId, String targetType, String targetId, String roleId) {}
}
