package glint.data;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/** Glance's {@code hashing_algorithm} names (Python hashlib's) and the JDK digests behind them. */
public final class HashAlgorithm {
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

    /** The algorithm for a hashlib name; unknown names are a configuration error. */
    public static HashAlgorithm of(String hashlibName) {
        String jdk = JDK_NAMES.get(hashlibName);
        if (jdk == null) {
            throw new IllegalArgumentException("hashing_algorithm '" + hashlibName + "' is not supported; use one of "
                    + new java.util.TreeSet<>(JDK_NAMES.keySet()));
        }
        return new HashAlgorithm(hashlibName, jdk);
    }

    public String name() {
        return name;
    }

    public MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(jdkName + " missing from the JDK", e);
        }
    }
}
