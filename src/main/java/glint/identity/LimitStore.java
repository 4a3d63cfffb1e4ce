package glint.identity;

import glint.identity.LimitRecords.ProjectLimit;
import glint.identity.LimitRecords.RegisteredLimit;
import java.util.List;
import java.util.Optional;

/**
 * Persistence of the unified limits (implemented by {@code glint.db.JdbcLimitRepository}). A handful of rows: lists
 * are whole, filtering is the caller's.
 */
public interface LimitStore {
    List<RegisteredLimit> registeredLimits();

    Optional<RegisteredLimit> registeredLimit(String id);

    /** Inserts them all in one transaction. */
    void createRegisteredLimits(List<RegisteredLimit> limits);

    void updateRegisteredLimit(RegisteredLimit limit);

    /** Deletes it unless a project limit refers to it; {@code false} then. */
    boolean deleteRegisteredLimit(String id);

    /** Whether a project limit refers to the registered limit. */
    boolean referenced(String registeredLimitId);

    List<ProjectLimit> limits();

    Optional<ProjectLimit> limit(String id);

    /** Inserts them all in one transaction; {@code false}, inserting none, when one repeats a project's limit. */
    boolean createLimits(List<ProjectLimit> limits);

    void updateLimit(ProjectLimit limit);

    void deleteLimit(String id);
}
