package glint.identity;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.identity.AuthRequest.ProjectScope;
import glint.identity.AuthRequest.SystemScope;
import glint.identity.AuthRequest.Unscoped;
import glint.identity.IdentityRecords.Domain;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRecords.Role;
import glint.identity.IdentityRecords.User;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Keystone's token provider: issues tokens for the {@code password} and {@code token} methods, validates and revokes
 * them.
 *
 * <p>Tokens are self-contained and HMAC-signed ({@link TokenCodec}), like Keystone's fernet tokens, rather than rows in
 * the database: issuing one writes nothing, validating one needs no token lookup, and every node of a deployment
 * accepts every node's tokens because the signing key is generated once and kept in the shared database (first
 * writer wins). What must be current is looked up at validation time, as fernet does: the user, project and domains
 * must still exist and be enabled, roles are resolved then (with implied roles), and revocations are rows in the
 * shared database, keyed by the token's audit id, so a revocation on one node holds on all of them.
 */
public final class TokenService {
    static final String SIGNING_KEY = "token_signing_key";

    private final IdentityService identity;
    private final IdentityStore store;
    private final Duration ttl;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private volatile TokenCodec codec;

    public TokenService(IdentityService identity, IdentityStore store, Duration ttl, Clock clock) {
        this.identity = identity;
        this.store = store;
        this.ttl = ttl;
        this.clock = clock;
    }

    /**
     * {@code POST /v3/auth/tokens}: every listed method must succeed for the same user; 401 for bad credentials or a
     * scope the user has no role on.
     */
    public ValidToken issue(AuthRequest request) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String userId = null;
        Instant expiresAt = now.plus(ttl);
        Set<String> methods = new LinkedHashSet<>();
        Optional<ValidToken> fromToken = Optional.empty();
        for (String method : request.methods()) {
            String who;
            if (method.equals("password") && request.password().isPresent()) {
                who = identity.checkPassword(request.password().get()).orElseThrow(TokenService::unauthorized).id();
            } else if (method.equals("token") && request.token().isPresent()) {
                ValidToken existing = validate(request.token().get()).orElseThrow(TokenService::unauthorized);
                // Keystone keeps the original expiry (no endless renewal by rescoping) and the original methods
                expiresAt = expiresAt.isBefore(existing.token().expiresAt()) ? expiresAt : existing.token().expiresAt();
                methods.add(method);
                methods.addAll(existing.token().methods());
                fromToken = Optional.of(existing);
                who = existing.user().id();
            } else {
                throw unauthorized(); // Keystone: "Attempted to authenticate with an unsupported method."
            }
            if (userId != null && !userId.equals(who)) {
                throw unauthorized(); // Keystone: "User IDs do not match"
            }
            userId = who;
            methods.add(method);
        }
        if (userId == null) {
            throw unauthorized();
        }
        User user = identity.user(userId).orElseThrow(TokenService::unauthorized);
        if (fromToken.isPresent() && fromToken.get().token().system() && request.scope() instanceof ProjectScope) {
            throw new GlintException(ErrorKind.FORBIDDEN, "You are not authorized to perform the requested action: "
                    + "Using a system-scoped token to create a project-scoped or domain-scoped token is not allowed..");
        }
        Optional<String> projectId = Optional.empty();
        boolean system = false;
        if (request.scope() instanceof ProjectScope scope) {
            Project project = findProject(scope).filter(identity::enabled).orElseThrow(TokenService::unauthorized);
            if (identity.projectRoles(user.id(), project.id()).isEmpty()) {
                throw unauthorized();
            }
            projectId = Optional.of(project.id());
        } else if (request.scope() instanceof SystemScope) {
            if (identity.systemRoles(user.id()).isEmpty()) {
                throw unauthorized();
            }
            system = true;
        } else if (request.scope() instanceof Unscoped unscoped && !unscoped.explicit()) {
            projectId = defaultProject(user); // Keystone's _check_and_set_default_scoping
        }
        List<String> audit = new ArrayList<>();
        audit.add(newAuditId());
        // Keystone's audit chain: the second audit id names the token this chain started from
        fromToken.map(t -> t.token().auditIds().get(t.token().auditIds().size() - 1)).ifPresent(audit::add);
        Token token = new Token(user.id(), projectId, system, List.copyOf(methods), now, expiresAt, audit);
        return resolve(codec().encode(token), token).orElseThrow(TokenService::unauthorized);
    }

    /** The token's meaning, or empty when it is forged, expired, revoked, or its user or scope is gone or disabled. */
    public Optional<ValidToken> validate(String tokenId) {
        return codec().decode(tokenId).flatMap(t -> resolve(tokenId, t));
    }

    private Optional<ValidToken> resolve(String tokenId, Token token) {
        if (!token.expiresAt().isAfter(clock.instant()) || token.auditIds().isEmpty()
                || store.isRevoked(token.auditIds().get(0))) {
            return Optional.empty();
        }
        Optional<User> user = identity.user(token.userId()).filter(User::enabled)
                .filter(u -> u.tokensNotBefore().map(t -> !token.issuedAt().isBefore(t)).orElse(true));
        Optional<Domain> userDomain = user.flatMap(u -> identity.domain(u.domainId())).filter(Domain::enabled);
        if (userDomain.isEmpty()) {
            return Optional.empty();
        }
        Optional<Project> project = Optional.empty();
        Optional<Domain> projectDomain = Optional.empty();
        List<Role> roles = List.of();
        if (token.projectId().isPresent()) {
            project = identity.project(token.projectId().get()).filter(Project::enabled);
            projectDomain = project.flatMap(p -> identity.domain(p.domainId())).filter(Domain::enabled);
            if (projectDomain.isEmpty()) {
                return Optional.empty();
            }
            roles = identity.projectRoles(user.get().id(), project.get().id());
        } else if (token.system()) {
            roles = identity.systemRoles(user.get().id());
        }
        if ((token.projectId().isPresent() || token.system()) && roles.isEmpty()) {
            return Optional.empty(); // all roles removed: Keystone refuses the token
        }
        return Optional.of(new ValidToken(tokenId, token, user.get(), userDomain.get(), project, projectDomain, roles));
    }

    /**
     * {@code DELETE /v3/auth/tokens}: revokes this token (Keystone's {@code revoke_by_audit_id}); tokens rescoped
     * from it live on, as in Keystone.
     */
    public void revoke(ValidToken token) {
        store.revoke(token.token().auditIds().get(0), token.token().expiresAt());
    }

    private Optional<String> defaultProject(User user) {
        return user.defaultProjectId().flatMap(identity::project).filter(identity::enabled)
                .filter(p -> !identity.projectRoles(user.id(), p.id()).isEmpty()).map(Project::id);
    }

    private Optional<Project> findProject(ProjectScope scope) {
        if (scope.id().isPresent()) {
            return identity.project(scope.id().get());
        }
        Optional<String> domainId = scope.domainId().isPresent() ? scope.domainId()
                : scope.domainName().flatMap(identity::domainByName).map(Domain::id);
        return domainId.flatMap(d -> scope.name().flatMap(n -> identity.projectByName(d, n)));
    }

    private TokenCodec codec() {
        TokenCodec c = codec;
        if (c == null) {
            byte[] fresh = new byte[32];
            random.nextBytes(fresh);
            String key = store.settingIfAbsent(SIGNING_KEY, Base64.getEncoder().encodeToString(fresh));
            c = new TokenCodec(Base64.getDecoder().decode(key));
            codec = c;
        }
        return c;
    }

    /** Keystone's audit ids: 16 random bytes, URL-safe base64 without padding (22 characters). */
    private String newAuditId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static GlintException unauthorized() {
        return new GlintException(ErrorKind.UNAUTHORIZED, "The request you have made requires authentication.");
    }
}
