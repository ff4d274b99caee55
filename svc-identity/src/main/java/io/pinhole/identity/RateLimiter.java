package io.pinhole.identity;

import io.lettuce.core.KeyValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.pinhole.platform.error.PinholeException;
import java.time.Duration;
import java.util.List;

/**
 * Fixed-window counters in Redis: a key per subject (a username, a client address) that counts events and expires
 * with its window. Callers {@link #check} before the costly work and {@link #count} the events that should be
 * limited (failed logins, sign-ups).
 */
final class RateLimiter {

    private final RedisCommands<String, String> redis;

    RateLimiter(RedisCommands<String, String> redis) {
        this.redis = redis;
    }

    /** A limit on one subject's counter. */
    record Limit(String key, int maximum, Duration window) {}

    /**
     * Throws RESOURCE_EXHAUSTED, with the time until the counter's window ends as the retry delay, when any of
     * {@code limits} has been reached. One round trip whatever the number of limits.
     */
    void check(String message, List<Limit> limits) {
        if (limits.isEmpty()) {
            return;
        }
        final List<KeyValue<String, String>> counts = redis.mget(limits.stream().map(Limit::key).toArray(String[]::new));
        for (int i = 0; i < limits.size(); i++) {
            final Limit limit = limits.get(i);
            if (counts.get(i).hasValue() && Long.parseLong(counts.get(i).getValue()) >= limit.maximum()) {
                final long remainingMillis = redis.pttl(limit.key());
                throw PinholeException.resourceExhausted(message,
                        Duration.ofMillis(remainingMillis > 0 ? remainingMillis : limit.window().toMillis()));
            }
        }
    }

    /** Counts one event on each limit's counter, starting its window when it is the first. */
    void count(List<Limit> limits) {
        for (Limit limit : limits) {
            // SET NX starts the window with its expiry; INCR keeps the expiry. No counter ever lives without one.
            redis.set(limit.key(), "0", SetArgs.Builder.nx().px(limit.window().toMillis()));
            redis.incr(limit.key());
        }
    }

    void reset(String key) {
        redis.del(key);
    }
}
