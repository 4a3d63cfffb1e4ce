package glint.auth.keystone;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What validating a token gave, each kept until its own deadline: a value for a valid token (its request context,
 * or its catalog), or nothing for a refused one.
 * Bounded: when full, expired entries go first, and if that is not enough the whole cache is dropped (tokens are
 * then validated again; simpler than tracking recency, and only reached with more live tokens than the bound).
 */
final class TokenCache<V> {
    private record Entry<V>(Optional<V> value, Instant until) {}

    private final int maxEntries;
    private final Clock clock;
    private final ConcurrentHashMap<String, Entry<V>> entries = new ConcurrentHashMap<>();

    TokenCache(int maxEntries, Clock clock) {
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    /** Empty when the token is not cached (or its entry has expired); else the cached outcome. */
    Optional<Optional<V>> get(String token) {
        Entry<V> entry = entries.get(token);
        if (entry == null) {
            return Optional.empty();
        }
        if (!entry.until().isAfter(clock.instant())) {
            entries.remove(token, entry);
            return Optional.empty();
        }
        return Optional.of(entry.value());
    }

    void put(String token, Optional<V> value, Instant until) {
        Instant now = clock.instant();
        if (!until.isAfter(now)) {
            return;
        }
        if (entries.size() >= maxEntries) {
            entries.values().removeIf(e -> !e.until().isAfter(now));
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
        }
        entries.put(token, new Entry<>(value, until));
    }

    int size() {
        return entries.size();
    }
}
