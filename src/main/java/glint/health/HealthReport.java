package glint.health;

import java.util.List;

/** The answer of all backends, in their configured order; healthy when every one is available (oslo's rule). */
public record HealthReport(List<HealthResult> results) {
    public HealthReport {
        results = List.copyOf(results);
    }

    public boolean healthy() {
        return results.stream().allMatch(HealthResult::available);
    }
}
