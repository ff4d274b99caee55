package io.pinhole.platform.client;

import com.spotify.folsom.BinaryMemcacheClient;
import com.spotify.folsom.MemcacheClientBuilder;
import com.spotify.folsom.transcoder.ByteArrayTranscoder;
import com.google.common.net.HostAndPort;
import io.pinhole.platform.config.Env;
import com.spotify.folsom.Metrics;
import com.spotify.folsom.client.NoopMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;

/**
 * folsom memcached clients: binary protocol, Ketama consistent hashing over {@code PINHOLE_MEMCACHED_SERVERS}
 * ({@code host:port} list, default {@code 127.0.0.1:21211}, devstack's port), request timeout
 * {@code PINHOLE_MEMCACHED_TIMEOUT} (default 200ms: a slow cache is treated as a miss, never waited for).
 *
 * <p>Values are bytes; services store serialized protobuf messages under versioned keys (each service's
 * {@code Keys} class). Clients disagree on key placement, so every service uses this one builder.
 */
public final class MemcachedClients {

    private MemcachedClients() {}

    public static BinaryMemcacheClient<byte[]> create(Env env) {
        return create(env.list("PINHOLE_MEMCACHED_SERVERS", List.of("127.0.0.1:21211")),
                      env.duration("PINHOLE_MEMCACHED_TIMEOUT", Duration.ofMillis(200)));
    }

    /** A client whose hits, misses and errors are counted in {@code meters} ({@link MemcachedMetrics}). */
    public static BinaryMemcacheClient<byte[]> create(Env env, MeterRegistry meters) {
        return create(env.list("PINHOLE_MEMCACHED_SERVERS", List.of("127.0.0.1:21211")),
                      env.duration("PINHOLE_MEMCACHED_TIMEOUT", Duration.ofMillis(200)), new MemcachedMetrics(meters));
    }

    public static BinaryMemcacheClient<byte[]> create(List<String> servers, Duration timeout) {
        return create(servers, timeout, NoopMetrics.INSTANCE);
    }

    private static BinaryMemcacheClient<byte[]> create(List<String> servers, Duration timeout, Metrics metrics) {
        final MemcacheClientBuilder<byte[]> builder = new MemcacheClientBuilder<>(ByteArrayTranscoder.INSTANCE)
                .withMetrics(metrics)
                .withRequestTimeoutMillis(timeout.toMillis())
                .withMaxOutstandingRequests(10_000)
                .withRetry(false);
        for (String server : servers) {
            final HostAndPort hostAndPort = HostAndPort.fromString(server);
            builder.withAddress(hostAndPort.getHost(), hostAndPort.getPort());
        }
        return builder.connectBinary();
    }
}
