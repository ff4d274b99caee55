package io.pinhole.platform.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spotify.folsom.MemcacheClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.platform.config.Env;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cache hit ratio every dashboard shows comes from these counters, against a real memcached. */
@ExtendWith(DevstackExtension.class)
class MemcachedMetricsTest {

    @Test
    void hitsAndMissesAreCountedPerKey(Devstack devstack) throws Exception {
        final SimpleMeterRegistry meters = new SimpleMeterRegistry();
        final MemcacheClient<byte[]> memcached = MemcachedClients.create(Env.of(devstack.memcached().environment()), meters);
        try {
            memcached.awaitConnected(10, java.util.concurrent.TimeUnit.SECONDS);
            memcached.set("metrics-test:present", new byte[] {1}, 60).toCompletableFuture().get();
            memcached.get(List.of("metrics-test:present", "metrics-test:absent-1", "metrics-test:absent-2"))
                     .toCompletableFuture().get();
            memcached.get("metrics-test:present").toCompletableFuture().get();

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(meters.get("pinhole.cache.gets").tag("result", "hit").counter().count()).isEqualTo(2.0);
                assertThat(meters.get("pinhole.cache.gets").tag("result", "miss").counter().count()).isEqualTo(2.0);
            });
            assertThat(meters.find("pinhole.cache.errors").counter()).isNull();
        } finally {
            memcached.shutdown();
        }
    }
}
