package glint.identity;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.identity.AuthRequest.PasswordCredentials;
import glint.identity.AuthRequest.ProjectScope;
import glint.identity.AuthRequest.SystemScope;
import glint.identity.IdentityRecords.Domain;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRecords.Role;
import glint.identity.IdentityRecords.User;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The built-in identity: Keystone v3's password and token authentication, project and system scopes, validation and
 * revocation of tokens, and the bootstrap of the first admin (what {@code keystone-manage bootstrap} does).
 */
public final class IdentityService {
    public static final String DEFAULT_DOMAIN_ID = "default";
    private static final String UNAUTHORIZED = "The request you have made requires authentication.";

    private final IdentityStore store;
    private final PasswordHasher hasher;
    private final Duration tokenTtl;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private volatile TokenCodec codec;

    public IdentityService(IdentityStore store, PasswordHasher hasher, Duration tokenTtl, Clock clock) {
        this.store = store;
        this.hasher = hasher;
        this.tokenTtl = tokenTtl;
        this.clock = clock;
    }

    /** Issues a token; 401 for bad credentials or a scope the user has no role on. */
    public ValidToken authenticate(AuthRequest request) {
        Token source;
        if (request.methods().contains("password") && request.password().isPresent()) {
            User user = checkPassword(request.password().get());
            Instant now = now();
            source = new Token(user.id(), Optional.empty(), false, List.of("password"), now, now.plus(tokenTtl), List.of());
        } else if (request.methods().contains("token") && request.token().isPresent()) {
            ValidToken existing = validate(request.token().get()).orElseThrow(() -> unauthorized());
            // Keystone keeps the original expiry and chains the audit ids when a token is rescoped.
            source = new Token(existing.user().id(), Optional.empty(), false, List.of("token"), now(),
                    existing.token().expiresAt(), existing.token().auditIds().subList(0, 1));
        } else {
            throw new GlintException(ErrorKind.BAD_REQUEST, "Expecting to find identity in auth - the server could not "
                    + "comply with the request since it is either malformed or otherwise incorrect.");
        }
        User user = store.user(source.userId()).orElseThrow(IdentityService::unauthorized);
        Optional<String> projectId = Optional.empty();
        boolean system = false;
        if (request.scope() instanceof ProjectScope scope) {
            Project project = findProject(scope).orElseThrow(IdentityService::unauthorized);
            if (!project.enabled() || effectiveRoles(user.id(), "project", project.id()).isEmpty()) {
                throw unauthorized();
            }
            projectId = Optional.of(project.id());
        } else if (request.scope() instanceof AuthRequest.Unscoped && request.methods().contains("password")
                && user.defaultProjectId().isPresent()
                && store.project(user.defaultProjectId().get()).filter(Project::enabled).isPresent()
                && !effectiveRoles(user.id(), "project", user.defaultProjectId().get()).isEmpty()) {
            // Keystone scopes a password token without scope to the user's default project.
            projectId = user.defaultProjectId();
        } else if (request.scope() instanceof SystemScope) {
            if (effectiveRoles(user.id(), "system", "all").isEmpty()) {
                throw unauthorized();
            }
            system = true;
        }
        List<String> audit = new ArrayList<>();
        audit.add(newAuditId());
        audit.addAll(source.auditIds());
        Token token = new Token(user.id(), projectId, system, source.methods(), source.issuedAt(), source.expiresAt(), audit);
        String id = codec().encode(token);
        return validate(id).orElseThrow(IdentityService::unauthorized);
    }

    /** The token's meaning, or empty when it is forged, expired, revoked, or its user or project is gone or disabled. */
    public Optional<ValidToken> validate(String tokenId) {
        Optional<Token> decoded = codec().decode(tokenId);
        if (decoded.isEmpty() || !decoded.get().expiresAt().isAfter(clock.instant())) {
            return Optional.empty();
        }
        Token token = decoded.get();
        if (token.auditIds().stream().anyMatch(store::isRevoked)) {
            return Optional.empty();
        }
        Optional<User> user = store.user(token.userId()).filter(User::enabled);
        if (user.isEmpty()) {
            return Optional.empty();
        }
        Domain userDomain = store.domain(user.get().domainId()).orElse(new Domain(user.get().domainId(), user.get().domainId(), true));
        Optional<Project> project = Optional.empty();
        Optional<Domain> projectDomain = Optional.empty();
        List<Role> roles = List.of();
        if (token.projectId().isPresent()) {
            project = store.project(token.projectId().get()).filter(Project::enabled);
            if (project.isEmpty()) {
                return Optional.empty();
            }
            projectDomain = store.domain(project.get().domainId());
            roles = effectiveRoles(user.get().id(), "project", project.get().id());
            if (roles.isEmpty()) {
                return Optional.empty();
            }
        } else if (token.system()) {
            roles = effectiveRoles(user.get().id(), "system", "all");
            if (roles.isEmpty()) {
                return Optional.empty();
            }
        }
        return Optional.of(new ValidToken(tokenId, token, user.get(), userDomain, project, projectDomain, roles));
    }

    /**
     * Revokes the token by its own audit id; tokens rescoped from it carry that id second in their chain, so they
     * fall with it (Keystone's audit chains).
     */
    public void revoke(ValidToken token) {
        store.revoke(token.token().auditIds().get(0), token.token().expiresAt());
    }

    /** Projects the user has a role on (GET /v3/auth/projects). */
    public List<Project> projectsOf(String userId) {
        return store.assignedProjectIds(userId).stream().map(store::project).flatMap(Optional::stream)
                .filter(Project::enabled).toList();
    }

    /** Direct assignments plus Keystone's implied roles (admin → member → reader). */
    public List<Role> effectiveRoles(String userId, String targetType, String targetId) {
        Map<String, List<String>> implied = store.impliedRoles();
        Set<String> ids = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(store.assignedRoleIds(userId, targetType, targetId));
        while (!todo.isEmpty()) {
            String id = todo.pop();
            if (ids.add(id)) {
                todo.addAll(implied.getOrDefault(id, List.of()));
            }
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        return store.roles().stream().filter(r -> ids.contains(r.id())).toList();
    }

    /**
     * Creates the Default domain, the roles admin, member and reader (with Keystone's implied roles), project admin
     * and user admin (role admin on the project and on the system) on first start. A given password is (re)set, as
     * {@code keystone-manage bootstrap} does; without one, a random password is made on first start only.
     * Returns the admin password when it is known now (so that it can be written to openrc).
     */
    public Optional<String> bootstrap(Optional<String> adminPassword) {
        if (store.domainByName("Default").isEmpty()) {
            String password = adminPassword.orElseGet(this::randomPassword);
            try {
                createDefaults(password);
                return Optional.of(password);
            } catch (RuntimeException e) {
                if (store.domainByName("Default").isEmpty()) {
                    throw e;
                }
                // another node bootstrapped at the same moment: fall through to the existing records
            }
        }
        adminPassword.ifPresent(p -> store.userByName(DEFAULT_DOMAIN_ID, "admin")
                .ifPresent(admin -> store.setPassword(admin.id(), hasher.hash(p))));
        return adminPassword;
    }

    private void createDefaults(String adminPassword) {
        store.createDomain(new Domain(DEFAULT_DOMAIN_ID, "Default", true));
        Role admin = ensureRole("admin");
        Role member = ensureRole("member");
        Role reader = ensureRole("reader");
        store.addImpliedRole(admin.id(), member.id());
        store.addImpliedRole(member.id(), reader.id());
        Project project = ensureProject("admin");
        User user = ensureUser("admin", adminPassword, Optional.of(project.id()));
        store.assign(user.id(), "project", project.id(), admin.id());
        store.assign(user.id(), "system", "all", admin.id());
    }

    public Role ensureRole(String name) {
        return store.roleByName(name).orElseGet(() -> {
            Role role = new Role(newId(), name);
            store.createRole(role);
            return role;
        });
    }

    public Project ensureProject(String name) {
        return store.projectByName(DEFAULT_DOMAIN_ID, name).orElseGet(() -> {
            Project project = new Project(newId(), name, DEFAULT_DOMAIN_ID, Optional.empty(), true);
            store.createProject(project);
            return project;
        });
    }

    public User ensureUser(String name, String password, Optional<String> defaultProject) {
        return store.userByName(DEFAULT_DOMAIN_ID, name).orElseGet(() -> {
            User user = new User(newId(), name, DEFAULT_DOMAIN_ID, Optional.of(hasher.hash(password)), true, defaultProject);
            store.createUser(user);
            return user;
        });
    }

    public void assignProjectRole(String userId, String projectId, String roleName) {
        store.assign(userId, "project", projectId, ensureRole(roleName).id());
    }

    private User checkPassword(PasswordCredentials c) {
        Optional<User> user;
        if (c.userId().isPresent()) {
            user = store.user(c.userId().get());
        } else {
            Optional<String> domainId = c.domainId().isPresent() ? c.domainId()
                    : c.domainName().flatMap(store::domainByName).map(Domain::id);
            user = domainId.flatMap(d -> c.userName().flatMap(n -> store.userByName(d, n)));
        }
        if (user.isEmpty() || !user.get().enabled() || !hasher.matches(c.password(), user.get().passwordHash().orElse(null))) {
            throw unauthorized();
        }
        return user.get();
    }

    private Optional<Project> findProject(ProjectScope scope) {
        if (scope.id().isPresent()) {
            return store.project(scope.id().get());
        }
        Optional<String> domainId = scope.domainId().isPresent() ? scope.domainId()
                : scope.domainName().flatMap(store::domainByName).map(Domain::id);
        return domainId.flatMap(d -> scope.name().flatMap(n -> store.projectByName(d, n)));
    }

    private TokenCodec codec() {
        TokenCodec c = codec;
        if (c == null) {
            byte[] fresh = new byte[32];
            random.nextBytes(fresh);
            String key = store.settingIfAbsent("token_signing_key", Base64.getEncoder().encodeToString(fresh));
            c = new TokenCodec(Base64.getDecoder().decode(key));
            codec = c;
        }
        return c;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private String newAuditId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private String randomPassword() {
        byte[] b = new byte[18];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static GlintException unauthorized() {
        return new GlintException(ErrorKind.UNAUTHORIZED, UNAUTHORIZED);
    }
}
