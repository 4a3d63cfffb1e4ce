package glint.format;

import java.util.Map;

/**
 * One format that matched, by oslo.utils' name ({@code raw}, {@code qcow2}, {@code vmdk}, {@code vhd}, {@code vhdx},
 * {@code vdi}, {@code iso}, {@code gpt}, {@code luks}, {@code qed}, {@code ploop}), the virtual size it declares and
 * the safety checks it failed (check name → reason; empty when safe).
 */
public record Detected(String format, long virtualSize, Map<String, String> safetyFailures) {
    public Detected {
        safetyFailures = Map.copyOf(safetyFailures);
    }
}
