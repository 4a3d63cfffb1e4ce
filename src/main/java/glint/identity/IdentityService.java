package glint.identity;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.identity.AuthRequest.PasswordCredentials;
import glint.identity.IdentityRecords.Domain;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRecords.Role;
import glint.identity.IdentityRecords.User;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Keystone's identity, resource and assignment data for the built-in identity: domains, projects, users with
 * passwords, roles with Keystone's implied roles, and role assignments on projects and on the system. Tokens are
 * {@link TokenService}'s business; the first admin is {@link IdentityBootstrap}'s.
 *
 * <p>The {@code ensure…} and {@code create…} methods are safe when several nodes run them at once on one database:
 * the unique keys decide, and the loser reads the winner's record.
 */
public final class IdentityService {
    public static final String DEFAULT_DOMAIN_ID = "default";
    public static final String DEFAULT_DOMAIN_NAME = "Default";

    private final IdentityStore store;
    private final PasswordHasher hasher;
    private final Lockout lockout;
    private final Clock clock;
    /** Compared against when the user does not exist, so that unknown names cost as long as wrong passwords. */
    private volatile String decoyHash;

    /**
     * Keystone's {@code [security_compliance] lockout_failure_attempts} (0: no lockout, Keystone's default) and
     * {@code lockout_duration} (zero: locked until an admin enables the user again; Keystone's default 1800 s).
     */
    public record Lockout(int failureAttempts, Duration duration) {
        public static final Lockout OFF = new Lockout(0, Duration.ofSeconds(1800));
    }

    public IdentityService(IdentityStore store, PasswordHasher hasher) {
        this(store, hasher, Lockout.OFF, Clock.systemUTC());
    }

    public IdentityService(IdentityStore store, PasswordHasher hasher, Lockout lockout, Clock clock) {
        this.store = store;
        this.hasher = hasher;
        this.lockout = lockout;
        this.clock = clock;
    }

    public Optional<User> user(String id) {
        return store.user(id);
    }

    public Optional<User> userByName(String domainId, String name) {
        return store.userByName(domainId, name);
    }

    public Optional<Domain> domain(String id) {
        return store.domain(id);
    }

    public Optional<Domain> domainByName(String name) {
        return store.domainByName(name);
    }

    public Optional<Project> project(String id) {
        return store.project(id);
    }

    public Optional<Project> projectByName(String domainId, String name) {
        return store.projectByName(domainId, name);
    }

    /**
     * The user named by the credentials (by id, or by name within a domain given by id or name) when the password
     * is right and the user and its domain are enabled.
     */
    public Optional<User> checkPassword(PasswordCredentials c) {
        Optional<User> user;
        if (c.userId().isPresent()) {
            user = store.user(c.userId().get());
        } else {
            Optional<String> domainId = c.domainId().isPresent() ? c.domainId()
                    : c.domainName().flatMap(store::domainByName).map(Domain::id);
            user = domainId.flatMap(d -> c.userName().flatMap(n -> store.userByName(d, n)));
        }
        if (user.isEmpty() || user.get().passwordHash().isEmpty()) {
            if (decoyHash == null) {
                decoyHash = hasher.hash(UUID.randomUUID().toString());
            }
            hasher.matches(c.password(), decoyHash);
            return Optional.empty();
        }
        // Keystone's order (identity/backends/sql.py authenticate): locked, then the password (a failure counted),
        // then enabled; a success forgets the failures
        String id = user.get().id();
        IdentityStore.FailedLogins failed = lockout.failureAttempts() > 0 ? store.failedLogins(id) : IdentityStore.FailedLogins.NONE;
        if (locked(id, failed)) {
            throw new GlintException(ErrorKind.UNAUTHORIZED, "The account is locked for user: " + id + ".");
        }
        if (!hasher.matches(c.password(), user.get().passwordHash().get())) {
            if (lockout.failureAttempts() > 0) {
                store.recordFailedLogin(id, clock.instant());
            }
            return Optional.empty();
        }
        if (!enabled(user.get())) {
            return Optional.empty();
        }
        if (failed.count() > 0) {
            store.resetFailedLogins(id);
        }
        return user;
    }

    /** Keystone's {@code _is_account_locked}: a lockout that ran its duration is forgotten. */
    private boolean locked(String userId, IdentityStore.FailedLogins failed) {
        if (lockout.failureAttempts() <= 0 || failed.count() < lockout.failureAttempts()) {
            return false;
        }
        if (lockout.duration().isZero()) {
            return true;
        }
        if (failed.last().map(t -> t.plus(lockout.duration()).isAfter(clock.instant())).orElse(false)) {
            return true;
        }
        store.resetFailedLogins(userId);
        return false;
    }

    /** A user that may log in: enabled, in an enabled domain. */
    public boolean enabled(User user) {
        return user.enabled() && store.domain(user.domainId()).map(Domain::enabled).orElse(false);
    }

    /** A project that may be a token's scope: enabled, in an enabled domain. */
    public boolean enabled(Project project) {
        return project.enabled() && store.domain(project.domainId()).map(Domain::enabled).orElse(false);
    }

    /** The user's roles on a project: direct assignments plus the roles they imply (admin → member → reader). */
    public List<Role> projectRoles(String userId, String projectId) {
        return effectiveRoles(userId, IdentityStore.PROJECT, projectId);
    }

    /** The user's roles on the system ({@code "system": {"all": true}}), with implied roles. */
    public List<Role> systemRoles(String userId) {
        return effectiveRoles(userId, IdentityStore.SYSTEM, IdentityStore.SYSTEM_ALL);
    }

    private List<Role> effectiveRoles(String userId, String targetType, String targetId) {
        List<String> direct = store.assignedRoleIds(userId, targetType, targetId);
        if (direct.isEmpty()) {
            return List.of();
        }
        Map<String, List<String>> implied = store.impliedRoles();
        Set<String> ids = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(direct);
        while (!todo.isEmpty()) {
            String id = todo.pop();
            if (ids.add(id)) {
                todo.addAll(implied.getOrDefault(id, List.of()));
            }
        }
        return store.roles().stream().filter(r -> ids.contains(r.id())).toList();
    }

    /** Enabled projects the user has a role on (GET /v3/auth/projects). */
    public List<Project> projectsOf(String userId) {
        return store.assignedProjectIds(userId).stream().map(store::project).flatMap(Optional::stream)
                .filter(this::enabled).toList();
    }

    public Domain ensureDomain(String id, String name) {
        Domain domain = new Domain(id, name, true);
        if (store.createDomain(domain)) {
            return domain;
        }
        return store.domain(id).or(() -> store.domainByName(name))
                .orElseThrow(() -> new IllegalStateException("domain " + name + " neither created nor found"));
    }

    public Role ensureRole(String name) {
        return store.roleByName(name).orElseGet(() -> {
            Role role = new Role(newId(), name);
            return store.createRole(role) ? role : store.roleByName(name).orElseThrow(() -> race("role", name));
        });
    }

    /** Keystone's implied role: whoever has {@code prior} also has {@code implied}. */
    public void addImpliedRole(String prior, String implied) {
        store.addImpliedRole(ensureRole(prior).id(), ensureRole(implied).id());
    }

    /** A project of the Default domain, created when missing. */
    public Project ensureProject(String name) {
        return store.projectByName(DEFAULT_DOMAIN_ID, name).orElseGet(() -> {
            Project project = new Project(newId(), name, DEFAULT_DOMAIN_ID, Optional.empty(), true);
            return store.createProject(project) ? project
                    : store.projectByName(DEFAULT_DOMAIN_ID, name).orElseThrow(() -> race("project", name));
        });
    }

    /** A user of the Default domain, created with this password when missing (an existing user keeps its password). */
    public User ensureUser(String name, String password, Optional<String> defaultProjectId) {
        return store.userByName(DEFAULT_DOMAIN_ID, name)
                .or(() -> createUser(name, password, defaultProjectId))
                .or(() -> store.userByName(DEFAULT_DOMAIN_ID, name))
                .orElseThrow(() -> race("user", name));
    }

    /** Creates a user of the Default domain; empty when the name is taken (possibly by another node just now). */
    public Optional<User> createUser(String name, String password, Optional<String> defaultProjectId) {
        User user = new User(newId(), name, DEFAULT_DOMAIN_ID, Optional.of(hasher.hash(password)), true, defaultProjectId,
                Optional.empty());
        return store.createUser(user) ? Optional.of(user) : Optional.empty();
    }

    /**
     * Sets the user's password unless it is that already, as {@code keystone-manage bootstrap} does on every run; a
     * new one revokes the user's tokens issued until now ({@link User#changed}).
     */
    public void setPassword(String userId, String password) {
        User user = store.user(userId).orElseThrow(() -> new IllegalStateException("user " + userId + " not found"));
        if (user.passwordHash().map(h -> hasher.matches(password, h)).orElse(false)) {
            return;
        }
        store.updateUser(user.changed(user.name(), Optional.of(hasher.hash(password)), user.enabled(),
                user.defaultProjectId(), clock.instant()));
    }

    /**
     * Enables or disables the user; disabling revokes its tokens issued until now ({@link User#changed}), enabling
     * also unlocks a user locked out by failed logins.
     */
    public void setUserEnabled(String userId, boolean enabled) {
        User user = store.user(userId).orElseThrow(() -> new IllegalStateException("user " + userId + " not found"));
        store.updateUser(user.changed(user.name(), user.passwordHash(), enabled, user.defaultProjectId(), clock.instant()));
        if (enabled) {
            store.resetFailedLogins(userId);
        }
    }

    public void assignProjectRole(String userId, String projectId, String roleName) {
        store.assign(userId, IdentityStore.PROJECT, projectId, ensureRole(roleName).id());
    }

    public void unassignProjectRole(String userId, String projectId, String roleName) {
        store.roleByName(roleName).ifPresent(r -> store.unassign(userId, IdentityStore.PROJECT, projectId, r.id()));
    }

    public void assignSystemRole(String userId, String roleName) {
        store.assign(userId, IdentityStore.SYSTEM, IdentityStore.SYSTEM_ALL, ensureRole(roleName).id());
    }

    /** Keystone's ids: 32 hex digits. */
    static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static IllegalStateException race(String kind, String name) {
        return new IllegalStateException(kind + " " + name + " neither created nor found");
    }
}
