package io.pinhole.bench;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackConfig;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.events.v1.Liked;
import io.pinhole.platform.client.RedisClients;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.events.Outbox;
import io.pinhole.platform.events.OutboxRelay;
import io.pinhole.platform.events.StreamConsumer;
import io.pinhole.platform.events.Topics;
import io.pinhole.platform.shard.DatabaseConfig;
import io.pinhole.platform.shard.ShardedDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

/**
 * The event pipeline end to end against real PostgreSQL and Redis: commit (outbox) → relay → Redis Streams →
 * consumer group → handler. Two figures, each beside the floor measured in the same run (a bare XADD → XREADGROUP →
 * XACK loop with nothing else): the delay from commit to handler at a steady arrival rate (open loop, percentiles
 * from HdrHistogram), and the throughput when producers commit as fast as they can.
 */
public final class EventPipelineBenchmark {

    private EventPipelineBenchmark() {}

    public static void run(int rate, int seconds) throws Exception {
        try (Devstack devstack = Devstack.create(DevstackConfig.forTests())) {
            devstack.postgres().createDatabase("pinhole_bench_events");
            final RedisClient redis = RedisClients.create(devstack.redis().uri(), Duration.ofSeconds(2));
            try (ShardedDatabase database = ShardedDatabase.open(DatabaseConfig.fromEnvironment(
                    Env.of(devstack.postgres().environment()), "pinhole_bench_events"), configuration -> { }, null)) {
                database.migrate();
                final Result pipelineSteady = steady(rate, seconds, (send) -> pipeline(database, redis, send));
                final Result floorSteady = steady(rate, seconds, (send) -> floor(redis, send));
                final double pipelineMax = throughput(20_000, (send) -> pipeline(database, redis, send));
                final double floorMax = throughput(20_000, (send) -> floor(redis, send));
                final String report = String.format(java.util.Locale.ROOT, """
                        {"rate_per_s": %d, "seconds": %d,
                         "pipeline": {"p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "throughput_per_s": %.0f},
                         "floor":    {"p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "throughput_per_s": %.0f},
                         "throughput_ratio_to_floor": %.3f}
                        """, rate, seconds, pipelineSteady.p50(), pipelineSteady.p99(), pipelineSteady.max(),
                        pipelineMax, floorSteady.p50(), floorSteady.p99(), floorSteady.max(), floorMax,
                        pipelineMax / floorMax);
                System.out.println(report);
                Files.createDirectories(Path.of("bench/reports"));
                Files.writeString(Path.of("bench/reports/events.json"), report);
            } finally {
                redis.shutdown();
            }
        }
    }

    record Result(double p50, double p99, double max) {}

    /** A pipeline under test: started with a callback for handled events; returns a producer and a stopper. */
    interface Pipeline {
        Running start(LongConsumer handledAtNanos) throws Exception;
    }

    interface Running extends AutoCloseable {
        /** Commits (or sends) one event stamped with {@code sentAtNanos}. */
        void send(long sentAtNanos) throws Exception;
    }

    private static Result steady(int rate, int seconds, Pipeline pipeline) throws Exception {
        final Recorder recorder = new Recorder(3);
        final int total = rate * seconds;
        final CountDownLatch done = new CountDownLatch(total);
        try (Running running = pipeline.start(sentAt -> {
            recorder.recordValue(System.nanoTime() - sentAt);
            done.countDown();
        }); var producers = Executors.newScheduledThreadPool(4)) {
            // Open loop: each event is due at its own time whatever happened to the previous ones, and its delay is
            // measured from that due time (no coordinated omission).
            final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            final long interval = TimeUnit.SECONDS.toNanos(1) / rate;
            for (int i = 0; i < total; i++) {
                final long due = start + i * interval;
                producers.schedule(() -> {
                    running.send(due);
                    return null;
                }, due - System.nanoTime(), TimeUnit.NANOSECONDS);
            }
            if (!done.await(seconds + 60L, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + (total - done.getCount()) + " of " + total + " handled");
            }
        }
        final Histogram histogram = recorder.getIntervalHistogram();
        return new Result(histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(99) / 1e6,
                          histogram.getMaxValue() / 1e6);
    }

    private static double throughput(int total, Pipeline pipeline) throws Exception {
        final CountDownLatch done = new CountDownLatch(total);
        final long started;
        try (Running running = pipeline.start(sentAt -> done.countDown());
             var producers = Executors.newFixedThreadPool(4)) {
            started = System.nanoTime();
            final AtomicInteger left = new AtomicInteger(total);
            for (int p = 0; p < 4; p++) {
                producers.submit(() -> {
                    while (left.getAndDecrement() > 0) {
                        running.send(System.nanoTime());
                    }
                    return null;
                });
            }
            if (!done.await(300, TimeUnit.SECONDS)) {
                throw new IllegalStateException("throughput run did not finish");
            }
        }
        return total / ((System.nanoTime() - started) / 1e9);
    }

    private static Running pipeline(ShardedDatabase database, RedisClient redis, LongConsumer handled) {
        final String group = "bench-" + UUID.randomUUID();
        final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        final OutboxRelay relay = OutboxRelay.start(database, redis, OutboxRelay.Settings.defaults(), null);
        final StreamConsumer consumer = StreamConsumer.start(redis,
                StreamConsumer.Settings.of(group, List.of(Topics.LIKES)), event -> {
                    final Long at = sentAt.remove(event.getEventId());
                    if (at != null) {
                        handled.accept(at);
                    }
                }, null);
        final AtomicInteger next = new AtomicInteger();
        return new Running() {
            @Override
            public void send(long sentAtNanos) {
                final int n = next.getAndIncrement();
                final String id = UUID.randomUUID().toString();
                sentAt.put(id, sentAtNanos);
                database.inShard(n % database.shardMap().logicalShards(), session -> Outbox.append(session,
                        EventEnvelope.newBuilder().setEventId(id).setAggregateId(n)
                                .setLiked(Liked.newBuilder().setMediaId(n).setLikerId(1)).build()));
            }

            @Override
            public void close() {
                consumer.close();
                relay.close();
            }
        };
    }

    /** The floor: XADD by the producers, one XREADGROUP + XACK loop, nothing else. */
    private static Running floor(RedisClient redis, LongConsumer handled) {
        final String topic = "bench.floor." + UUID.randomUUID();
        final StatefulRedisConnection<String, byte[]> producer =
                redis.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        final StatefulRedisConnection<String, byte[]> consumer =
                redis.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        consumer.sync().xgroupCreate(StreamOffset.from(topic, "0-0"), "floor", XGroupCreateArgs.Builder.mkstream());
        final Thread reader = new Thread(() -> {
            final RedisCommands<String, byte[]> commands = consumer.sync();
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    for (StreamMessage<String, byte[]> message : commands.xreadgroup(Consumer.from("floor", "c"),
                            XReadArgs.Builder.block(200).count(50), StreamOffset.lastConsumed(topic))) {
                        commands.xack(topic, "floor", message.getId());
                        handled.accept(Long.parseLong(new String(message.getBody().get("at"),
                                                                 StandardCharsets.UTF_8)));
                    }
                } catch (RuntimeException e) {
                    return; // closed
                }
            }
        }, "floor-reader");
        reader.start();
        return new Running() {
            @Override
            public void send(long sentAtNanos) {
                producer.sync().xadd(topic, Map.of("at", Long.toString(sentAtNanos).getBytes(StandardCharsets.UTF_8),
                                                   "event", new byte[64]));
            }

            @Override
            public void close() throws InterruptedException {
                reader.interrupt();
                reader.join(2000);
                producer.close();
                consumer.close();
            }
        };
    }

}
