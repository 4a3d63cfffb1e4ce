package glint.identity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a token says, signed into it by {@link TokenCodec}: who, which scope, which methods, when. Roles are not in
 * the token; they are looked up when it is validated (as Keystone's fernet tokens do), so a removed role takes effect.
 */
public record Token(
        String userId,
        Optional<String> projectId,
        boolean system,
        List<String> methods,
        Instant issuedAt,
        Instant expiresAt,
        List<String> auditIds) {

    public Token {
        methods = List.copyOf(methods);
        auditIds = List.copyOf(auditIds);
    }
}
