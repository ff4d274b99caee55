package io.pinhole.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.pinhole.platform.config.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Argon2id parameters production runs with when nothing overrides them. Every other test lowers them to stay
 * fast (IdentityFixture, RealIdentity), so without this test a weakened default would go unnoticed.
 */
class PasswordHasherTest {

    @Test
    void defaults_areOwaspsArgon2idMinimum_19MiB_2Iterations_1Lane() {
        final PasswordHasher hasher = PasswordHasher.fromEnvironment(Env.of(Map.of()));

        final String hash = hasher.hash("correct horse battery");

        assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(hasher.matches("correct horse battery", hash)).isTrue();
        assertThat(hasher.matches("correct horse batterY", hash)).isFalse();
        // A hash made with the lower test parameters is upgraded at the next login.
        assertThat(hasher.needsUpgrade(new PasswordHasher(1024, 1, 1).hash("x"))).isTrue();
        assertThat(hasher.needsUpgrade(hash)).isFalse();
    }
}
