package glint.policy;

import java.util.Map;
import java.util.Optional;

/**
 * What a rule is checked against: oslo.policy's target dict. For images (Glance's {@code ImageTarget}),
 * {@code project_id} is the image owner and {@code member_id} the caller's project when it is a member of the image.
 */
public record PolicyTarget(Map<String, String> values) {
    public PolicyTarget {
        values = Map.copyOf(values);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public static PolicyTarget of(Map<String, String> values) {
        return new PolicyTarget(values);
    }
}
