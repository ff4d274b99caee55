package io.pinhole.platform.client;

import com.spotify.folsom.GetResult;
import com.spotify.folsom.MemcacheStatus;
import com.spotify.folsom.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * folsom's metrics hook, reported through Micrometer: {@code pinhole_cache_gets_total{result="hit"|"miss"}} per key
 * (a multi-get of 20 keys counts 20), so the hit ratio is {@code hit / (hit + miss)}; {@code
 * pinhole_cache_errors_total{operation}} for timeouts and lost connections (every cache user treats them as misses);
 * {@code pinhole_cache_outstanding_requests}.
 */
final class MemcachedMetrics implements Metrics {

    private final Counter hits;
    private final Counter misses;
    private final MeterRegistry registry;
    private final List<OutstandingRequestsGauge> outstanding = new CopyOnWriteArrayList<>();

    MemcachedMetrics(MeterRegistry registry) {
        this.registry = registry;
        hits = Counter.builder("pinhole.cache.gets").tag("result", "hit").description("memcached keys read: found")
                      .register(registry);
        misses = Counter.builder("pinhole.cache.gets").tag("result", "miss").description("memcached keys read: absent")
                        .register(registry);
        Gauge.builder("pinhole.cache.outstanding.requests", outstanding,
                      gauges -> gauges.stream().mapToInt(OutstandingRequestsGauge::getOutstandingRequests).sum())
             .description("memcached requests sent and not yet answered").register(registry);
    }

    @Override
    public void measureGetFuture(CompletionStage<GetResult<byte[]>> future) {
        future.whenComplete((result, error) -> {
            if (error != null) {
                failed("get");
            } else {
                (result == null ? misses : hits).increment();
            }
        });
    }

    @Override
    public void measureMultigetFuture(CompletionStage<List<GetResult<byte[]>>> future) {
        future.whenComplete((results, error) -> {
            if (error != null) {
                failed("multiget");
                return;
            }
            final long found = results.stream().filter(result -> result != null).count();
            hits.increment(found);
            misses.increment(results.size() - found);
        });
    }

    @Override
    public void measureDeleteFuture(CompletionStage<MemcacheStatus> future) {
        future.whenComplete((status, error) -> countError("delete", error));
    }

    @Override
    public void measureSetFuture(CompletionStage<MemcacheStatus> future) {
        future.whenComplete((status, error) -> countError("set", error));
    }

    @Override
    public void measureIncrDecrFuture(CompletionStage<Long> future) {
        future.whenComplete((value, error) -> countError("incr_decr", error));
    }

    @Override
    public void measureTouchFuture(CompletionStage<MemcacheStatus> future) {
        future.whenComplete((status, error) -> countError("touch", error));
    }

    @Override
    public void registerOutstandingRequestsGauge(OutstandingRequestsGauge gauge) {
        outstanding.add(gauge);
    }

    @Override
    public void unregisterOutstandingRequestsGauge(OutstandingRequestsGauge gauge) {
        outstanding.remove(gauge);
    }

    private void countError(String operation, Throwable error) {
        if (error != null) {
            failed(operation);
        }
    }

    private void failed(String operation) {
        registry.counter("pinhole.cache.errors", "operation", operation).increment();
    }
}
