package glint.format;

import java.util.OptionalLong;

/** Data accepted as {@code format} (what the content was taken for), with the virtual size to record, if known. */
public record Verdict(String format, OptionalLong virtualSize) {}
