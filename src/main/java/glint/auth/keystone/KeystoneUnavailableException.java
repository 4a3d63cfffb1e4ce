package glint.auth.keystone;

/** Keystone could not be asked (unreachable, timed out, 5xx, or it refused the service credentials). */
public final class KeystoneUnavailableException extends RuntimeException {
    public KeystoneUnavailableException(String message) {
        super(message);
    }
}
