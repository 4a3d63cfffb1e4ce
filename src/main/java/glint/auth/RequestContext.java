package glint.auth;

import java.util.Set;

/**
 * Who is asking: what every image operation sees (Glance's RequestContext). Built from a validated token by an
 * {@link Authenticator}; never from client-supplied headers. {@code authToken} is the validated token itself (oslo's
 * {@code auth_token}), for calls made on the caller's behalf (glance-download); it is never logged.
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
        String requestId,
        String authToken) {

    public RequestContext {
        roles = Set.copyOf(roles);
    }

    /** A context without a token (made by Glint itself, or not yet bound to the request's token). */
    public RequestContext(String userId, String userName, String userDomainId, String projectId, String projectName,
                          String projectDomainId, Set<String> roles, boolean systemScope, String requestId) {
        this(userId, userName, userDomainId, projectId, projectName, projectDomainId, roles, systemScope, requestId, null);
    }

    /** Glance's {@code is_admin}: the admin role (oslo.context's default {@code is_admin} rule is {@code role:admin}). */
    public boolean isAdmin() {
        return roles.contains("admin");
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /** This context for one request: its id and the token it came with. */
    public RequestContext forRequest(String id, String token) {
        return new RequestContext(userId, userName, userDomainId, projectId, projectName, projectDomainId, roles, systemScope,
                id, token);
    }

    @Override
    public String toString() {
        return "RequestContext[user=" + userId + ", project=" + projectId + ", roles=" + roles + ", system=" + systemScope
                + ", request=" + requestId + "]";
    }
}
