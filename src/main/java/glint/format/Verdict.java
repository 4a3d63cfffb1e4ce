package glint.format;

import java.util.OptionalLong;

/**
 * Data accepted as {@code format} (what the content was taken for: the declared format when it matched, {@code raw}
 * under the compatibility rules, the detected formats joined by {@code +} when a mismatch was only logged), with the
 * virtual size to record, if any (Glance sets none when it is 0).
 */
public record Verdict(String format, OptionalLong virtualSize) {}
