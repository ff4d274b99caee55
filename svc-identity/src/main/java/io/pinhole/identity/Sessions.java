package io.pinhole.identity;

import io.lettuce.core.GetExArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Sessions in Redis. The client holds a random token (256 bits, URL-safe base64); Redis holds only the token's
 * SHA-256, so a copy of Redis lets nobody sign in. Expiry slides: each {@link #authenticate} moves it
 * {@code timeToLive} ahead, in the same command that reads the session (GETEX: one round trip on the gateway's hot
 * path).
 *
 * <p>Each user also has a set of their token hashes for {@link #revokeAll}; the scripts that add to it and empty it
 * run atomically in Redis, so a login racing "log out everywhere" is either revoked or kept, never forgotten by the
 * set. The scripts build session keys from set members, which needs a single Redis (not Redis Cluster): sessions are
 * small, and one Redis primary with a replica holds many millions.
 */
final class Sessions {

    private static final SecureRandom random = new SecureRandom();

    // KEYS[1] session key, KEYS[2] user's set; ARGV[1] user ID, ARGV[2] TTL ms, ARGV[3] token hash,
    // ARGV[4] session key prefix. Also drops set members whose session has expired, so the set stays small.
    private static final String CREATE = """
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            for _, hash in ipairs(redis.call('SMEMBERS', KEYS[2])) do
              if redis.call('EXISTS', ARGV[4] .. hash) == 0 then redis.call('SREM', KEYS[2], hash) end
            end
            redis.call('SADD', KEYS[2], ARGV[3])
            return 1
            """;

    // KEYS[1] user's set; ARGV[1] session key prefix. Returns how many live sessions were deleted.
    private static final String REVOKE_ALL = """
            local revoked = 0
            for _, hash in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              revoked = revoked + redis.call('DEL', ARGV[1] .. hash)
            end
            redis.call('DEL', KEYS[1])
            return revoked
            """;

    private static final String SESSION_KEY_PREFIX = IdentityKeys.session("");

    private final RedisCommands<String, String> redis;
    private final Duration timeToLive;
    private final Clock clock;

    Sessions(RedisCommands<String, String> redis, Duration timeToLive, Clock clock) {
        this.redis = redis;
        this.timeToLive = timeToLive;
        this.clock = clock;
    }

    /** A new session for {@code userId}. */
    Session create(long userId) {
        final byte[] secret = new byte[32];
        random.nextBytes(secret);
        final String token = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        final String hash = hash(token);
        redis.eval(CREATE, ScriptOutputType.INTEGER,
                   new String[] {IdentityKeys.session(hash), IdentityKeys.userSessions(userId)},
                   Long.toString(userId), Long.toString(timeToLive.toMillis()), hash, SESSION_KEY_PREFIX);
        return new Session(token, userId, clock.instant().plus(timeToLive));
    }

    /** The session of {@code token}, its expiry moved ahead; empty when unknown, revoked or expired. */
    Optional<Session> authenticate(String token) {
        final String userId = redis.getex(IdentityKeys.session(hash(token)), GetExArgs.Builder.px(timeToLive.toMillis()));
        return Optional.ofNullable(userId)
                       .map(id -> new Session(token, Long.parseLong(id), clock.instant().plus(timeToLive)));
    }

    /** Ends one session; false when it was not live. */
    boolean revoke(String token) {
        final String hash = hash(token);
        final String userId = redis.getdel(IdentityKeys.session(hash));
        if (userId == null) {
            return false;
        }
        redis.srem(IdentityKeys.userSessions(Long.parseLong(userId)), hash);
        return true;
    }

    /** Ends every session of {@code userId}; returns how many were live. */
    int revokeAll(long userId) {
        final Long revoked = redis.eval(REVOKE_ALL, ScriptOutputType.INTEGER,
                                        new String[] {IdentityKeys.userSessions(userId)}, SESSION_KEY_PREFIX);
        return revoked.intValue();
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** A live session: the token is known only at creation (afterwards it is what the client sent). */
    record Session(String token, long userId, Instant expiresAt) {}
}
