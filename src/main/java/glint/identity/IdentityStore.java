package glint.identity;

import glint.identity.IdentityRecords.Domain;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRecords.Role;
import glint.identity.IdentityRecords.User;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Persistence of the built-in identity (implemented in {@code glint.db}). */
public interface IdentityStore {
    Optional<Domain> domain(String id);

    Optional<Domain> domainByName(String name);

    Optional<Project> project(String id);

    Optional<Project> projectByName(String domainId, String name);

    List<Project> projects();

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

    void revoke(String auditId, Instant expiresAt);

    Optional<String> setting(String name);

    /** Stores the setting unless one exists; returns the value now stored (first writer wins across nodes). */
    String settingIfAbsent(String name, String value);

    void createDomain(Domain domain);

    void createProject(Project project);

    void createUser(User user);

    void createRole(Role role);

    void addImpliedRole(String priorRoleId, String impliedRoleId);

    void assign(String userId, String targetType, String targetId, String roleId);

    void setPassword(String userId, String passwordHash);
}
