package glint.image;

import glint.data.HashAlgorithm;
import glint.error.GlintException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code validation_data} of locations a client adds ({@code checksum}, {@code os_hash_algo},
 * {@code os_hash_value}): Glance's {@code _validate_validation_data} and {@code _validate_hashing_data}
 * (glance/api/v2/images.py), with their messages.
 */
public final class ValidationData {
    static final List<String> KEYS = List.of("checksum", "os_hash_algo", "os_hash_value");

    private ValidationData() {}

    /**
     * The values the locations give that the image does not have yet. A value the image already has must be the
     * same; new values only for a queued image, the hash with the configured algorithm and of its size.
     *
     * @throws GlintException 409 as Glance
     */
    static Map<String, String> newValues(Image image, List<Map<String, Object>> locations, HashAlgorithm configured) {
        Map<String, String> given = new LinkedHashMap<>();
        for (Map<String, Object> loc : locations) {
            if (loc.get("validation_data") instanceof Map<?, ?> data) {
                data.forEach((k, v) -> {
                    String key = String.valueOf(k);
                    String value = String.valueOf(v);
                    if (given.containsKey(key) && !given.get(key).equals(value)) {
                        throw GlintException.conflict("Conflicting values for " + key);
                    }
                    given.put(key, value);
                });
            }
        }
        Map<String, String> fresh = new LinkedHashMap<>();
        given.forEach((k, v) -> {
            Optional<String> current = current(image, k);
            if (current.isPresent() && current.get().equals(v)) {
                return;
            }
            if (current.isPresent()) {
                throw GlintException.conflict(k + " is already set with a different value");
            }
            fresh.put(k, v);
        });
        if (fresh.isEmpty()) {
            return fresh;
        }
        if (image.status() != ImageStatus.QUEUED) {
            throw GlintException.conflict("New value(s) for " + String.join(", ", fresh.keySet())
                    + " may only be provided when image status is 'queued'");
        }
        if (fresh.containsKey("checksum")) {
            byte[] md5 = hex(fresh.get("checksum"), "checksum (" + fresh.get("checksum") + ") is not a valid hexadecimal value");
            if (md5.length != 16) {
                throw GlintException.conflict("checksum (" + fresh.get("checksum")
                        + ") is not the correct size for md5 (should be 16 bytes)");
            }
        }
        String algo = fresh.get("os_hash_algo");
        if (!configured.name().equals(algo)) {
            throw GlintException.conflict("os_hash_algo must be " + configured.name() + ", not " + algo);
        }
        String value = fresh.getOrDefault("os_hash_value", "None");
        int want = configured.newDigest().getDigestLength();
        if (hex(value, "os_hash_value (" + value + ") is not a valid hexadecimal value").length != want) {
            throw GlintException.conflict("os_hash_value (" + value + ") is not the correct size for " + algo
                    + " (should be " + want + " bytes)");
        }
        return fresh;
    }

    /**
     * The 2.17 add-location API's check ({@code _validate_hashing_data}): {@code os_hash_value}, when given, is hex
     * and of the size of {@code os_hash_algo} (else the configured algorithm). 400 otherwise.
     */
    public static void checkHashing(Map<String, String> data, HashAlgorithm configured) {
        String value = data.get("os_hash_value");
        if (value == null) {
            return;
        }
        byte[] hash;
        try {
            hash = HexFormat.of().parseHex(value);
        } catch (IllegalArgumentException e) {
            throw GlintException.badRequest("os_hash_value (" + value + ") is not a valid hexadecimal value");
        }
        HashAlgorithm algo = Optional.ofNullable(data.get("os_hash_algo")).map(HashAlgorithm::of).orElse(configured);
        int want = algo.newDigest().getDigestLength();
        if (hash.length != want) {
            throw GlintException.badRequest("os_hash_value: (" + value + ") is not the correct size for (" + algo.name()
                    + ") (should be (" + want + ") bytes)");
        }
    }

    /** Sets the new values on a queued image turning active. */
    public static Image.Builder apply(Image.Builder image, Map<String, String> values) {
        Optional.ofNullable(values.get("checksum")).ifPresent(v -> image.checksum(Optional.of(v)));
        Optional.ofNullable(values.get("os_hash_algo")).ifPresent(v -> image.osHashAlgo(Optional.of(v)));
        Optional.ofNullable(values.get("os_hash_value")).ifPresent(v -> image.osHashValue(Optional.of(v)));
        return image;
    }

    private static Optional<String> current(Image image, String key) {
        return switch (key) {
            case "checksum" -> image.checksum();
            case "os_hash_algo" -> image.osHashAlgo();
            case "os_hash_value" -> image.osHashValue();
            default -> Optional.empty();
        };
    }

    private static byte[] hex(String value, String message) {
        try {
            if (value.length() % 2 != 0) {
                throw new IllegalArgumentException("odd length");
            }
            return HexFormat.of().parseHex(value);
        } catch (IllegalArgumentException e) {
            throw GlintException.conflict(message);
        }
    }
}
