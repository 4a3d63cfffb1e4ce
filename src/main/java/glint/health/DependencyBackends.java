package glint.health;

import glint.store.BlobStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Glint's own backends, named in {@code [healthcheck] backends} beside oslo's: what a request needs besides this
 * process. {@code database}: a pooled connection is had and valid within {@code [database] pool_timeout};
 * {@code stores}: every configured store can be read and written ({@link BlobStore#problem()}, no data moved).
 */
public final class DependencyBackends {
    /** Asks the database for a valid connection; throws when it cannot be had within the pool's timeout. */
    @FunctionalInterface
    public interface DatabasePing {
        void ping();
    }

    private DependencyBackends() {}

    public static HealthBackend database(DatabasePing database) {
        return port -> {
            try {
                database.ping();
                return HealthResult.ok("Database reachable");
            } catch (RuntimeException e) {
                return HealthResult.down("DATABASE UNAVAILABLE", rootCause(e));
            }
        };
    }

    public static HealthBackend stores(Collection<? extends BlobStore> stores) {
        return port -> {
            List<String> problems = new ArrayList<>();
            for (BlobStore s : stores) {
                Optional<String> problem;
                try {
                    problem = s.problem();
                } catch (RuntimeException e) {
                    problem = Optional.of(rootCause(e));
                }
                problem.ifPresent(p -> problems.add("store " + s.id() + ": " + p));
            }
            return problems.isEmpty()
                    ? HealthResult.ok("Stores readable and writable: " + String.join(", ", stores.stream().map(BlobStore::id).toList()))
                    : HealthResult.down("STORE UNAVAILABLE", String.join("; ", problems));
        };
    }

    /** The innermost cause, as an operator wants it in one line. */
    static String rootCause(Throwable e) {
        Throwable root = e;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 10; depth++) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }
}
