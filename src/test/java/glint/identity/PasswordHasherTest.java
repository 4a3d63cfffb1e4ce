package glint.identity;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.DatabaseNeutral;
import org.junit.jupiter.api.Test;

@DatabaseNeutral
class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher(1_000);

    @Test
    void hashNamesAlgorithmAndIterationsAndVerifies() {
        String stored = hasher.hash("s3cret");
        assertThat(stored).startsWith("pbkdf2-sha512$1000$");
        assertThat(stored.split("\\$")).hasSize(4);
        assertThat(stored).doesNotContain("s3cret");
        assertThat(hasher.matches("s3cret", stored)).isTrue();
        assertThat(hasher.matches("s3cret ", stored)).isFalse();
        assertThat(hasher.matches("", stored)).isFalse();
    }

    @Test
    void saltMakesEveryHashDifferent() {
        assertThat(hasher.hash("same")).isNotEqualTo(hasher.hash("same"));
    }

    @Test
    void defaultWorkFactorIsSeveralHundredThousandIterations() {
        String stored = new PasswordHasher().hash("x");
        assertThat(Integer.parseInt(stored.split("\\$")[1])).isGreaterThanOrEqualTo(200_000);
    }

    @Test
    void hashesMadeWithOtherIterationCountsStillVerify() {
        String old = new PasswordHasher(500).hash("pw");
        assertThat(hasher.matches("pw", old)).isTrue();
        assertThat(new PasswordHasher(2_000).matches("pw", old)).isTrue();
    }

    @Test
    void malformedOrMissingHashesNeverMatch() {
        assertThat(hasher.matches("pw", null)).isFalse();
        assertThat(hasher.matches("pw", "")).isFalse();
        assertThat(hasher.matches("pw", "pw")).isFalse();
        assertThat(hasher.matches("pw", "md5$1$abc$def")).isFalse();
        assertThat(hasher.matches("pw", "pbkdf2-sha512$x$abc$def")).isFalse();
        assertThat(hasher.matches("pw", "pbkdf2-sha512$1000$***$***")).isFalse();
    }

    @Test
    void unicodePasswordsRoundTrip() {
        String stored = hasher.hash("pässwörd-密码");
        assertThat(hasher.matches("pässwörd-密码", stored)).isTrue();
        assertThat(hasher.matches("passwort-密码", stored)).isFalse();
    }
}
