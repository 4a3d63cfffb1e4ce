package glint.identity;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Self-contained signed tokens: {@code base64url(payload) "." base64url(HMAC-SHA256(key, payload))}. The key lives in
 * the database, so every node sharing the database validates every node's tokens without a round trip; revocation is
 * a database lookup by audit id. (Keystone's fernet tokens have the same shape of trade-off, with encryption.)
 */
public final class TokenCodec {
    private static final byte VERSION = 1;
    private final SecretKeySpec key;

    public TokenCodec(byte[] key) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    public String encode(Token t) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        b.put(VERSION);
        putString(b, t.userId());
        putString(b, t.projectId().orElse(""));
        b.put((byte) (t.system() ? 1 : 0));
        b.put((byte) t.methods().size());
        t.methods().forEach(m -> putString(b, m));
        b.putLong(t.issuedAt().toEpochMilli());
        b.putLong(t.expiresAt().toEpochMilli());
        b.put((byte) t.auditIds().size());
        t.auditIds().forEach(a -> putString(b, a));
        byte[] payload = new byte[b.position()];
        b.flip().get(payload);
        Base64.Encoder enc = Base64.getUrlEncoder().withoutPadding();
        return enc.encodeToString(payload) + "." + enc.encodeToString(mac(payload));
    }

    /** The token's content if the signature is right; expiry is the caller's business. */
    public Optional<Token> decode(String token) {
        int dot = token.indexOf('.');
        if (dot <= 0 || token.length() > 4096) {
            return Optional.empty();
        }
        try {
            Base64.Decoder dec = Base64.getUrlDecoder();
            byte[] payload = dec.decode(token.substring(0, dot));
            byte[] signature = dec.decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(signature, mac(payload))) {
                return Optional.empty();
            }
            ByteBuffer b = ByteBuffer.wrap(payload);
            if (b.get() != VERSION) {
                return Optional.empty();
            }
            String user = getString(b);
            String project = getString(b);
            boolean system = b.get() == 1;
            List<String> methods = new ArrayList<>();
            for (int i = b.get(); i > 0; i--) {
                methods.add(getString(b));
            }
            Instant issued = Instant.ofEpochMilli(b.getLong());
            Instant expires = Instant.ofEpochMilli(b.getLong());
            List<String> audit = new ArrayList<>();
            for (int i = b.get(); i > 0; i--) {
                audit.add(getString(b));
            }
            return Optional.of(new Token(user, project.isEmpty() ? Optional.empty() : Optional.of(project), system,
                    methods, issued, expires, audit));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) bytes.length);
        b.put(bytes);
    }

    private static String getString(ByteBuffer b) {
        int n = b.getShort() & 0xffff;
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
