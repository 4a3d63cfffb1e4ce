package glint.auth.keystone;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates user tokens with Glint's service token, as keystonemiddleware does: when Keystone refuses the service
 * token (401: expired early, revoked, Keystone restarted with new keys) it is renewed and the validation tried once
 * more; a 403 means the service user may not validate tokens.
 */
final class KeystoneValidator {
    private static final Logger LOG = LoggerFactory.getLogger(KeystoneValidator.class);

    private final KeystoneClient keystone;
    private final ServiceToken serviceToken;
    private final String serviceUser;

    KeystoneValidator(KeystoneClient keystone, ServiceToken serviceToken, String serviceUser) {
        this.keystone = keystone;
        this.serviceToken = serviceToken;
        this.serviceUser = serviceUser;
    }

    /**
     * The token body (with its {@code catalog} when {@code withCatalog}), or empty when Keystone does not know the
     * token (any 4xx but a refusal of our own token).
     *
     * @throws KeystoneUnavailableException when Keystone cannot be asked
     */
    Optional<JsonNode> validate(String token, boolean withCatalog) {
        String service = serviceToken.get();
        KeystoneClient.Validation result = keystone.validate(service, token, withCatalog);
        if (result.status() == 401) {
            LOG.info("Keystone refused the service token; renewing it and validating again");
            serviceToken.invalidate(service);
            result = keystone.validate(serviceToken.get(), token, withCatalog);
            if (result.status() == 401) {
                throw new KeystoneUnavailableException("Keystone refused a freshly issued service token");
            }
        }
        if (result.status() == 403) {
            throw new KeystoneUnavailableException("Keystone does not let the service user " + serviceUser
                    + " validate tokens (HTTP 403): it needs the service or admin role");
        }
        return result.token();
    }
}
