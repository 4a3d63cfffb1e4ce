package glint.format;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One format that matched, by oslo.utils' name ({@code raw}, {@code qcow2}, {@code vmdk}, {@code vhd}, {@code vhdx},
 * {@code vdi}, {@code iso}, {@code gpt}, {@code luks}, {@code qed}, {@code ploop}), the virtual size it declares (0
 * when unknown), the safety checks it failed (check name → reason, in the order found; empty when safe) and its
 * subformat where it has one ({@code ""} otherwise): the vmdk {@code createType} as written in the descriptor, vhd
 * {@code dynamic}/{@code fixed} (fixed: found by the footer at the end of the data), qcow2 {@code v2}/{@code v3},
 * luks {@code v1}/{@code v2}.
 *
 * <p>Check names: oslo.utils' where it has the check ({@code backing_file}, {@code data_file},
 * {@code unknown_features}, {@code descriptor}, {@code footer}, {@code mbr}, {@code version}, {@code banned}),
 * Glint's own otherwise ({@code gptmbr}, {@code incomplete}, {@code parent}, {@code header},
 * {@code virtual_size}).
 */
public record Detected(String format, long virtualSize, Map<String, String> safetyFailures, String subformat) {
    public Detected {
        safetyFailures = Collections.unmodifiableMap(new LinkedHashMap<>(safetyFailures));
        subformat = subformat == null ? "" : subformat;
    }

    public Detected(String format, long virtualSize, Map<String, String> safetyFailures) {
        this(format, virtualSize, safetyFailures, "");
    }

    public boolean safe() {
        return safetyFailures.isEmpty();
    }
}
