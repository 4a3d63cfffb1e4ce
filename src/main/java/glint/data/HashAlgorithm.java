package glint.data;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A digest named as Glance's {@code [DEFAULT] hashing_algorithm} names it (Python hashlib's names; the value becomes
 * the image's {@code os_hash_algo}), and the JDK {@link MessageDigest} behind it.
 */
public final class HashAlgorithm {
    /** Glance's default {@code hashing_algorithm}. */
    public static final String DEFAULT = "sha512";

    private static final Map<String, String> JDK_NAMES = Map.ofEntries(
            Map.entry("md5", "MD5"), Map.entry("sha1", "SHA-1"), Map.entry("sha224", "SHA-224"),
            Map.entry("sha256", "SHA-256"), Map.entry("sha384", "SHA-384"), Map.entry("sha512", "SHA-512"),
            Map.entry("sha512_224", "SHA-512/224"), Map.entry("sha512_256", "SHA-512/256"),
            Map.entry("sha3_224", "SHA3-224"), Map.entry("sha3_256", "SHA3-256"), Map.entry("sha3_384", "SHA3-384"),
            Map.entry("sha3_512", "SHA3-512"));

    private final String name;
    private final String jdkName;

    private HashAlgorithm(String name, String jdkName) {
        this.name = name;
        this.jdkName = jdkName;
    }

    /**
     * The algorithm for a hashlib name (case-insensitive, as {@code hashlib.new}). An unknown name is a configuration
     * error, reported at start: {@link IllegalArgumentException} listing the supported names.
     */
    public static HashAlgorithm of(String hashlibName) {
        String jdk = JDK_NAMES.get(hashlibName.strip().toLowerCase(Locale.ROOT));
        if (jdk == null) {
            throw new IllegalArgumentException("hashing_algorithm '" + hashlibName + "' is not supported; use one of "
                    + new TreeSet<>(JDK_NAMES.keySet()));
        }
        HashAlgorithm algorithm = new HashAlgorithm(hashlibName.strip(), jdk);
        algorithm.newDigest(); // fails now rather than at the first upload
        return algorithm;
    }

    /** MD5, for Glance's {@code checksum}. */
    public static HashAlgorithm md5() {
        return of("md5");
    }

    /** The name as configured: the value of {@code os_hash_algo}. */
    public String name() {
        return name;
    }

    public String jdkName() {
        return jdkName;
    }

    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jdkName + " is missing from this JDK", e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
