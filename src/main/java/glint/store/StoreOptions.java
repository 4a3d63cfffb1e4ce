package glint.store;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One store section's options as glance_store reads them (blank is unset; booleans as oslo.config's), each failure
 * naming the store and the option: what every backend's option parser reads through.
 */
public record StoreOptions(String storeId, Map<String, String> options) {
    public Optional<String> optional(String name) {
        return Optional.ofNullable(options.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    public String required(String name) {
        return optional(name).orElseThrow(() -> bad("Could not find " + name + " in configuration options."));
    }

    public int intValue(String name, int defaultValue) {
        Optional<String> v = optional(name);
        try {
            return v.isEmpty() ? defaultValue : Integer.parseInt(v.get());
        } catch (NumberFormatException e) {
            throw bad(name + " must be an integer, not '" + v.get() + "'");
        }
    }

    public long longValue(String name, long defaultValue) {
        Optional<String> v = optional(name);
        try {
            return v.isEmpty() ? defaultValue : Long.parseLong(v.get());
        } catch (NumberFormatException e) {
            throw bad(name + " must be an integer, not '" + v.get() + "'");
        }
    }

    public boolean bool(String name, boolean defaultValue) {
        Optional<String> v = optional(name).map(s -> s.toLowerCase(Locale.ROOT));
        if (v.isEmpty()) {
            return defaultValue;
        }
        return switch (v.get()) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw bad(name + " must be true or false, not '" + v.get() + "'");
        };
    }

    public IllegalArgumentException bad(String message) {
        return new IllegalArgumentException("store '" + storeId + "': " + message);
    }
}
