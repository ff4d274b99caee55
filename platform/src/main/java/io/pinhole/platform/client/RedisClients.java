package io.pinhole.platform.client;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.pinhole.platform.config.Env;
import java.time.Duration;

/**
 * Lettuce clients configured once for every service: {@code PINHOLE_REDIS_URI} (default
 * {@code redis://127.0.0.1:16379}, devstack's port), command timeout {@code PINHOLE_REDIS_TIMEOUT} (default 1s).
 *
 * <p>One client and one shared, pipelined connection per service is Lettuce's intended use; commands sent while
 * Redis is away are rejected at once rather than queued, so callers see UNAVAILABLE instead of piling up.
 */
public final class RedisClients {

    private RedisClients() {}

    public static RedisClient create(Env env) {
        return create(env.string("PINHOLE_REDIS_URI", "redis://127.0.0.1:16379"),
                      env.duration("PINHOLE_REDIS_TIMEOUT", Duration.ofSeconds(1)));
    }

    public static RedisClient create(String uri, Duration commandTimeout) {
        final RedisClient client = RedisClient.create(RedisURI.create(uri));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
        return client;
    }
}
