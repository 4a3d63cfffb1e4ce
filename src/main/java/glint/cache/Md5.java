package glint.cache;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Glance's image cache checks entries against the image's {@code checksum}, an MD5. */
final class Md5 {
    private Md5() {}

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
