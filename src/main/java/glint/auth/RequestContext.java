package glint.auth;

import java.util.Set;

/**
 * Who is asking: what every image operation sees (Glance's RequestContext). Built from a validated token by an
 * {@link Authenticator}; never from client-supplied headers.
 */
public record RequestContext(
        String userId,
        String userName,
        String userDomainId,
        String projectId,
        String projectName,
        String projectDomainId,
        Set<String> roles,
        boolean systemScope,
        String requestId) {

    public RequestContext {
        roles = Set.copyOf(roles);
    }

    /** Glance's {@code is_admin}: the admin role (oslo.context's default {@code is_admin} rule is {@code role:admin}). */
    public boolean isAdmin() {
        return roles.contains("admin");
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    public RequestContext withRequestId(String id) {
        return new RequestContext(userId, userName, userDomainId, projectId, projectName, projectDomainId, roles, systemScope, id);
    }
}
