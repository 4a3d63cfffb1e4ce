package glint.identity;

import java.util.List;
import java.util.Optional;

/** A decoded {@code POST /v3/auth/tokens} body. */
public record AuthRequest(
        List<String> methods,
        Optional<PasswordCredentials> password,
        Optional<String> token,
        Scope scope) {

    /** The user by id, or by name within a domain given by id or name. */
    public record PasswordCredentials(Optional<String> userId, Optional<String> userName, Optional<String> domainId,
                                      Optional<String> domainName, String password) {}

    public sealed interface Scope permits Unscoped, ProjectScope, SystemScope {}

    /**
     * No scope: Keystone then scopes to the user's default project when it can; {@code explicit} is
     * {@code "scope": "unscoped"}, which asks for an unscoped token regardless.
     */
    public record Unscoped(boolean explicit) implements Scope {}

    /** A project by id, or by name within a domain given by id or name. */
    public record ProjectScope(Optional<String> id, Optional<String> name, Optional<String> domainId,
                               Optional<String> domainName) implements Scope {}

    public record SystemScope() implements Scope {}
}
