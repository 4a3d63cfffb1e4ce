package glint.auth;

/**
 * Where a requester's service catalog comes from: the built-in identity's catalog, or, in keystone mode, Keystone's
 * answer to validating the requester's token with its catalog (what keystonemiddleware passes as
 * {@code X-Service-Catalog}).
 */
public interface ServiceCatalogs {
    /**
     * The catalog of the requester's token ({@link RequestContext#authToken}); empty for a token without a project or
     * system scope, as Keystone gives none to those.
     *
     * @throws CatalogUnavailableException when it cannot be had (the token no longer valid, Keystone unreachable)
     */
    ServiceCatalog of(RequestContext requester);

    /** The requester's catalog could not be had; the message says why. */
    final class CatalogUnavailableException extends RuntimeException {
        public CatalogUnavailableException(String message) {
            super(message);
        }
    }
}
