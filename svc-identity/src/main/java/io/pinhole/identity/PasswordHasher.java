package io.pinhole.identity;

import io.pinhole.platform.config.Env;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Argon2id password hashes in the PHC string format ({@code $argon2id$v=19$m=…,t=…,p=…$salt$hash}), so each hash
 * carries its own parameters and old hashes keep verifying after the parameters are raised; {@link #needsUpgrade}
 * tells login to re-hash with the current ones. The algorithm is Bouncy Castle's, through Spring Security's encoder.
 *
 * <p>Defaults are OWASP's minimum for Argon2id (19 MiB, 2 iterations, 1 lane); tests lower them to stay fast.
 */
final class PasswordHasher {

    private final Argon2PasswordEncoder encoder;
    // Verifies a password against nothing, so that an unknown username costs as much time as a wrong password.
    private final String decoyHash;

    PasswordHasher(int memoryKib, int iterations, int parallelism) {
        this.encoder = new Argon2PasswordEncoder(16, 32, parallelism, memoryKib, iterations);
        this.decoyHash = encoder.encode("decoy password that matches nothing");
    }

    static PasswordHasher fromEnvironment(Env env) {
        return new PasswordHasher(env.integer("PINHOLE_ARGON2_MEMORY_KIB", 19_456),
                                  env.integer("PINHOLE_ARGON2_ITERATIONS", 2),
                                  env.integer("PINHOLE_ARGON2_PARALLELISM", 1));
    }

    String hash(String password) {
        return encoder.encode(password);
    }

    boolean matches(String password, String storedHash) {
        return encoder.matches(password, storedHash);
    }

    /** Spends the time of one verification; for unknown usernames. */
    void verifyDecoy(String password) {
        encoder.matches(password, decoyHash);
    }

    /** True when {@code storedHash} was made with weaker parameters than the current ones. */
    boolean needsUpgrade(String storedHash) {
        return encoder.upgradeEncoding(storedHash);
    }
}
