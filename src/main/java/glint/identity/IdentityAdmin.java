package glint.identity;

import glint.error.GlintException;
import glint.identity.IdentityRecords.Assignment;
import glint.identity.IdentityRecords.Domain;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRecords.Role;
import glint.identity.IdentityRecords.User;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.HashSet;

/**
 * Keystone's administration use cases for the built-in identity: projects, users, roles and role assignments
 * (keystone/resource, identity and assignment cores). Who may call them is {@link IdentityRules}' business (the API
 * asks it first); this class checks existence and uniqueness, with Keystone's messages, and ends the tokens a change
 * ends: a new password or a disabled user here ({@link User#changed}); a user, project or role deleted, a project
 * disabled or a role taken away by {@link TokenService}, which resolves all of them when it validates a token.
 */
public final class IdentityAdmin {
    /** A partial update of a project: absent fields stay as they are. */
    public record ProjectChange(Optional<String> name, Optional<Optional<String>> description, Optional<Boolean> enabled) {}

    /** A partial update of a user: absent fields stay as they are. */
    public record UserChange(Optional<String> name, Optional<String> password, Optional<Boolean> enabled,
                             Optional<Optional<String>> defaultProjectId) {}

    /** An assignment as {@code GET /v3/role_assignments} lists it; {@code priorRoleId} when implied by another role. */
    public record RoleAssignment(Assignment assignment, Optional<String> priorRoleId) {}

    private final IdentityStore store;
    private final PasswordHasher hasher;
    private final Clock clock;

    public IdentityAdmin(IdentityStore store, PasswordHasher hasher, Clock clock) {
        this.store = store;
        this.hasher = hasher;
        this.clock = clock;
    }

    public List<Domain> domains(Optional<String> name) {
        return store.domains().stream().filter(d -> name.isEmpty() || name.get().equals(d.name())).toList();
    }

    public Domain domain(String id) {
        return store.domain(id).orElseThrow(() -> notFound("domain", id));
    }

    public List<Project> projects(Optional<String> domainId, Optional<String> name) {
        return store.projects(domainId, name);
    }

    public Project project(String id) {
        return store.project(id).orElseThrow(() -> notFound("project", id));
    }

    public Project createProject(String name, String domainId, Optional<String> description, boolean enabled) {
        domain(domainId);
        Project project = new Project(IdentityService.newId(), name, domainId, description, enabled);
        if (!store.createProject(project)) {
            throw duplicate("project", name, domainId);
        }
        return project;
    }

    public Project updateProject(String id, ProjectChange change) {
        Project old = project(id);
        Project updated = new Project(id, change.name().orElse(old.name()), old.domainId(),
                change.description().orElse(old.description()), change.enabled().orElse(old.enabled()));
        if (!store.updateProject(updated)) {
            throw duplicate("project", updated.name(), old.domainId());
        }
        return updated;
    }

    public void deleteProject(String id) {
        project(id);
        store.deleteProject(id);
    }

    public List<User> users(Optional<String> domainId, Optional<String> name) {
        return store.users(domainId, name);
    }

    public User user(String id) {
        return store.user(id).orElseThrow(() -> notFound("user", id));
    }

    public User createUser(String name, String domainId, Optional<String> password, boolean enabled,
                           Optional<String> defaultProjectId) {
        domain(domainId);
        defaultProjectId.ifPresent(this::checkDefaultProject);
        User user = new User(IdentityService.newId(), name, domainId, password.map(hasher::hash), enabled, defaultProjectId,
                Optional.empty());
        if (!store.createUser(user)) {
            throw duplicate("user", name, domainId);
        }
        return user;
    }

    /**
     * A new password, or the user disabled, also revokes the user's tokens issued until now, as Keystone does
     * ({@link User#changed}); this write, as every identity write, raises the identity's revision, so no node serves
     * the user's old tokens from its cache one request more.
     */
    public User updateUser(String id, UserChange change) {
        User old = user(id);
        change.defaultProjectId().flatMap(p -> p).ifPresent(this::checkDefaultProject);
        User updated = old.changed(change.name().orElse(old.name()), change.password().map(hasher::hash).or(old::passwordHash),
                change.enabled().orElse(old.enabled()), change.defaultProjectId().orElse(old.defaultProjectId()),
                clock.instant());
        if (!store.updateUser(updated)) {
            throw duplicate("user", updated.name(), old.domainId());
        }
        if (change.enabled().orElse(false)) {
            store.resetFailedLogins(id); // an admin unlocks a user locked out by failed logins by enabling it
        }
        return updated;
    }

    public void deleteUser(String id) {
        user(id);
        store.deleteUser(id);
    }

    public List<Role> roles(Optional<String> name) {
        return store.roles().stream().filter(r -> name.isEmpty() || name.get().equals(r.name())).toList();
    }

    public Role role(String id) {
        return store.role(id).orElseThrow(() -> notFound("role", id));
    }

    public Role createRole(String name) {
        Role role = new Role(IdentityService.newId(), name);
        if (!store.createRole(role)) {
            throw GlintException.conflict("Conflict occurred attempting to store role - Duplicate entry found with name "
                    + name + ".");
        }
        return role;
    }

    public void deleteRole(String id) {
        role(id);
        store.deleteRole(id);
    }

    /** Grants a role to a user on a project ({@link IdentityStore#PROJECT}) or the system; idempotent. */
    public void grant(String userId, String targetType, String targetId, String roleId) {
        checkGrantParties(userId, targetType, targetId, roleId);
        store.assign(userId, targetType, targetId, roleId);
    }

    /** 404 (Keystone's RoleAssignmentNotFound) unless the user has the role directly on the target. */
    public void checkGrant(String userId, String targetType, String targetId, String roleId) {
        checkGrantParties(userId, targetType, targetId, roleId);
        if (!store.assignedRoleIds(userId, targetType, targetId).contains(roleId)) {
            String target = targetType.equals(IdentityStore.SYSTEM) ? "system" : targetId;
            throw GlintException.notFound("Could not find role assignment with role: " + roleId
                    + ", user or group: " + userId + ", project, domain, or system: " + target + ".");
        }
    }

    public void revoke(String userId, String targetType, String targetId, String roleId) {
        checkGrant(userId, targetType, targetId, roleId);
        store.unassign(userId, targetType, targetId, roleId);
    }

    /** The roles directly granted to the user on the target. */
    public List<Role> grantedRoles(String userId, String targetType, String targetId) {
        user(userId);
        if (targetType.equals(IdentityStore.PROJECT)) {
            project(targetId);
        }
        List<String> ids = store.assignedRoleIds(userId, targetType, targetId);
        return store.roles().stream().filter(r -> ids.contains(r.id())).toList();
    }

    /**
     * Keystone's {@code GET /v3/role_assignments}: direct assignments matching the filters; with {@code effective},
     * each is followed by the roles it implies (admin → member → reader), and the role filter applies after that.
     */
    public List<RoleAssignment> assignments(Optional<String> userId, Optional<String> targetType, Optional<String> targetId,
                                            Optional<String> roleId, boolean effective) {
        if (!effective) {
            return store.assignments(userId, targetType, targetId, roleId).stream()
                    .map(a -> new RoleAssignment(a, Optional.empty())).toList();
        }
        Map<String, List<String>> implied = store.impliedRoles();
        Map<Assignment, RoleAssignment> out = new LinkedHashMap<>();
        for (Assignment direct : store.assignments(userId, targetType, targetId, Optional.empty())) {
            out.put(direct, new RoleAssignment(direct, Optional.empty()));
        }
        for (Assignment direct : List.copyOf(out.keySet())) {
            Deque<String[]> todo = new ArrayDeque<>();
            Set<String> seen = new HashSet<>(Set.of(direct.roleId()));
            implied.getOrDefault(direct.roleId(), List.of()).forEach(r -> todo.add(new String[] {direct.roleId(), r}));
            while (!todo.isEmpty()) {
                String[] step = todo.pop();
                if (!seen.add(step[1])) {
                    continue;
                }
                Assignment a = new Assignment(direct.userId(), direct.targetType(), direct.targetId(), step[1]);
                out.putIfAbsent(a, new RoleAssignment(a, Optional.of(step[0])));
                implied.getOrDefault(step[1], List.of()).forEach(r -> todo.add(new String[] {step[1], r}));
            }
        }
        List<RoleAssignment> result = new ArrayList<>();
        for (RoleAssignment a : out.values()) {
            if (roleId.isEmpty() || roleId.get().equals(a.assignment().roleId())) {
                result.add(a);
            }
        }
        return result;
    }

    private void checkGrantParties(String userId, String targetType, String targetId, String roleId) {
        role(roleId);
        user(userId);
        if (targetType.equals(IdentityStore.PROJECT)) {
            project(targetId);
        }
    }

    private void checkDefaultProject(String projectId) {
        if (store.project(projectId).isEmpty()) {
            throw GlintException.badRequest("Could not find project: " + projectId + ".");
        }
    }

    private static GlintException notFound(String kind, String id) {
        return GlintException.notFound("Could not find " + kind + ": " + id + ".");
    }

    private static GlintException duplicate(String kind, String name, String domainId) {
        return GlintException.conflict("Conflict occurred attempting to store " + kind + " - Duplicate entry found with name "
                + name + " at domain ID " + domainId + ".");
    }
}
