package glint.identity;

import glint.identity.IdentityRecords.Assignment;
import glint.identity.IdentityRecords.Domain;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRecords.Role;
import glint.identity.IdentityRecords.User;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Persistence of the built-in identity (implemented by {@code glint.db.IdentityRepository}). The {@code create…}
 * methods return {@code false} instead of failing when the unique name or key is taken, so that nodes racing to
 * create the same record (bootstrap on a shared database) can fall back to reading the winner's.
 */
public interface IdentityStore {
    /** Assignment targets: a project by id, or the whole system ({@link #SYSTEM_ALL}). */
    String PROJECT = "project";
    String SYSTEM = "system";
    String SYSTEM_ALL = "all";

    Optional<Domain> domain(String id);

    Optional<Domain> domainByName(String name);

    Optional<Project> project(String id);

    Optional<Project> projectByName(String domainId, String name);

    Optional<User> user(String id);

    Optional<User> userByName(String domainId, String name);

    List<Role> roles();

    Optional<Role> roleByName(String name);

    /** Role ids directly assigned to the user on the target ({@code project}/id, {@code system}/all). */
    List<String> assignedRoleIds(String userId, String targetType, String targetId);

    /** Project ids on which the user has any role. */
    List<String> assignedProjectIds(String userId);

    /** prior role id → implied role ids. */
    Map<String, List<String>> impliedRoles();

    boolean isRevoked(String auditId);

    /**
     * The identity's revision: raised in the same transaction as every write of identity data or token revocation,
     * so that a node may trust what it validated only while the revision is unchanged.
     */
    long revision();

    /** Keystone's failed-login record of a user: failures since the last success, and the last failure's time. */
    record FailedLogins(int count, Optional<Instant> last) {
        public static final FailedLogins NONE = new FailedLogins(0, Optional.empty());
    }

    FailedLogins failedLogins(String userId);

    /** One more failed password check of the user, at {@code at} (atomic: concurrent failures on any node all count). */
    void recordFailedLogin(String userId, Instant at);

    /** Forgets the user's failed logins (a successful login, a lockout that ran out, the user enabled again). */
    void resetFailedLogins(String userId);

    /** Records the revocation until {@code expiresAt}, after which the token is dead anyway. */
    void revoke(String auditId, Instant expiresAt);

    Optional<String> setting(String name);

    /** Stores the setting unless one exists; returns the value now stored (first writer wins across nodes). */
    String settingIfAbsent(String name, String value);

    boolean createDomain(Domain domain);

    boolean createProject(Project project);

    boolean createUser(User user);

    boolean createRole(Role role);

    boolean addImpliedRole(String priorRoleId, String impliedRoleId);

    boolean assign(String userId, String targetType, String targetId, String roleId);

    void unassign(String userId, String targetType, String targetId, String roleId);

    List<Domain> domains();

    /** Projects, optionally only of one domain and/or with one name, by name. */
    List<Project> projects(Optional<String> domainId, Optional<String> name);

    /** Users, optionally only of one domain and/or with one name, by name. */
    List<User> users(Optional<String> domainId, Optional<String> name);

    Optional<Role> role(String id);

    /** Writes name, description and enabled; {@code false} when the name is taken in the domain. */
    boolean updateProject(Project project);

    /** Writes name, password hash, enabled and default project; {@code false} when the name is taken in the domain. */
    boolean updateUser(User user);

    /** Deletes the project and every assignment on it, and unsets it as default project, in one transaction. */
    void deleteProject(String projectId);

    /** Deletes the user and every assignment of it, in one transaction. */
    void deleteUser(String userId);

    /** Deletes the role, its assignments and its implications, in one transaction. */
    void deleteRole(String roleId);

    /** Direct assignments matching every given filter. */
    List<Assignment> assignments(Optional<String> userId, Optional<String> targetType, Optional<String> targetId,
                                 Optional<String> roleId);
}
