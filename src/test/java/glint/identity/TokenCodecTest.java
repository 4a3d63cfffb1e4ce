package glint.identity;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.DatabaseNeutral;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@DatabaseNeutral
class TokenCodecTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final TokenCodec codec = new TokenCodec(KEY);
    private final Token token = new Token("u1", Optional.of("p1"), false, List.of("password", "token"),
            Instant.parse("2026-11-25T08:00:00.123Z"), Instant.parse("2026-11-25T09:00:00.123Z"), List.of("a1", "a0"));

    @Test
    void roundTripsEverything() {
        assertThat(codec.decode(codec.encode(token))).contains(token);
        Token system = new Token("u2", Optional.empty(), true, List.of("password"), token.issuedAt(), token.expiresAt(), List.of("x"));
        assertThat(codec.decode(codec.encode(system))).contains(system);
    }

    @Test
    void tokensAreUrlSafe() {
        assertThat(codec.encode(token)).matches("[A-Za-z0-9_.-]+");
    }

    @Test
    void anotherKeyRejectsTheToken() {
        byte[] other = KEY.clone();
        other[0] ^= 1;
        assertThat(new TokenCodec(other).decode(codec.encode(token))).isEmpty();
    }

    @Test
    void anyChangedPayloadByteIsRejected() {
        String encoded = codec.encode(token);
        int dot = encoded.indexOf('.');
        byte[] payload = Base64.getUrlDecoder().decode(encoded.substring(0, dot));
        for (int i = 0; i < payload.length; i++) {
            byte[] tampered = payload.clone();
            tampered[i] ^= 0x01;
            String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(tampered) + encoded.substring(dot);
            assertThat(codec.decode(forged)).as("byte %d", i).isEmpty();
        }
    }

    @Test
    void changedSignatureIsRejected() {
        String encoded = codec.encode(token);
        char last = encoded.charAt(encoded.length() - 2);
        String forged = encoded.substring(0, encoded.length() - 2) + (last == 'A' ? 'B' : 'A') + encoded.charAt(encoded.length() - 1);
        assertThat(codec.decode(forged)).isEmpty();
        assertThat(codec.decode(encoded.substring(0, encoded.indexOf('.')))).isEmpty();
    }

    @Test
    void garbageIsRejectedWithoutExceptions() {
        for (String junk : List.of("", ".", "abc", "abc.def", "!!!.???", "a".repeat(5000), "gAAAAABfernet-looking")) {
            assertThat(codec.decode(junk)).as(junk).isEmpty();
        }
    }
}
