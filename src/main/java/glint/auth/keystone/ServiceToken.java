package glint.auth.keystone;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Glint's own token for talking to Keystone, fetched with the service credentials on first use and renewed before
 * it expires (keystoneauth renews when less than 120 s are left; here the lesser of that and half its lifetime).
 */
final class ServiceToken {
    private static final Duration RENEW_BEFORE = Duration.ofSeconds(120);

    private final KeystoneClient keystone;
    private final Clock clock;
    private KeystoneClient.IssuedToken current;
    private Instant renewAt = Instant.MIN;

    ServiceToken(KeystoneClient keystone, Clock clock) {
        this.keystone = keystone;
        this.clock = clock;
    }

    /** The current token, fetching a new one when there is none or it is about to expire. */
    synchronized String get() {
        if (current == null || !clock.instant().isBefore(renewAt)) {
            Instant issuedAt = clock.instant();
            current = keystone.issueServiceToken();
            Duration lifetime = Duration.between(issuedAt, current.expiresAt());
            Duration margin = lifetime.dividedBy(2).compareTo(RENEW_BEFORE) < 0 ? lifetime.dividedBy(2) : RENEW_BEFORE;
            renewAt = current.expiresAt().minus(margin);
        }
        return current.id();
    }

    /** Keystone refused {@code token} (401): forget it, so that the next {@link #get} fetches a new one. */
    synchronized void invalidate(String token) {
        if (current != null && current.id().equals(token)) {
            current = null;
        }
    }
}
