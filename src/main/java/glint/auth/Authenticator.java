package glint.auth;

import java.util.Optional;

/** Turns an {@code X-Auth-Token} into a request context: the built-in identity, or an external Keystone. */
public interface Authenticator {
    /** The validated context, or empty when the token is unknown, expired or revoked. */
    Optional<RequestContext> authenticate(String token);

    /**
     * Whether an {@code X-Service-Token} passes (keystonemiddleware validates it too, and refuses the request with a
     * 401 when it is invalid). By default: it is a valid token.
     */
    default boolean acceptsServiceToken(String token) {
        return authenticate(token).isPresent();
    }

    /** The identity endpoint named in {@code WWW-Authenticate} on a 401 (keystonemiddleware's {@code www_authenticate_uri}). */
    String wwwAuthenticateUri();
}
