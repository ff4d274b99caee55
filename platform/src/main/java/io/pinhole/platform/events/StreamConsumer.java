package io.pinhole.platform.events;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.models.stream.PendingMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.platform.config.Env;
import io.micrometer.core.instrument.Gauge;
import java.util.concurrent.atomic.AtomicLong;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consuming service's workers on Redis Streams: one consumer group per service (its name), N workers per process.
 *
 * <ul>
 *   <li>A worker acknowledges an entry only after its {@link EventHandler} returned.</li>
 *   <li>A failed entry is retried by the same worker after an exponential backoff with jitter
 *       ({@code base × 2^(deliveries-1)}, capped, times 0.5–1.0); after {@link Settings#maxDeliveries()} deliveries it
 *       goes to the dead-letter stream {@link #deadLetterStream} with the error, and is acknowledged.</li>
 *   <li>Entries left pending by a dead worker are taken over with XAUTOCLAIM once idle for
 *       {@link Settings#reclaimIdle()}.</li>
 *   <li>An entry replayed from the dead letters for one group (field {@code replay_group}) is skipped by others.</li>
 * </ul>
 * Delivery is at least once: handlers are idempotent (see {@link ProcessedEvents}).
 */
public final class StreamConsumer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamConsumer.class);
    static final String EVENT = "event";
    static final String EVENT_ID = "event_id";
    static final String REPLAY_GROUP = "replay_group";

    /** Settings of one consumer group. */
    public record Settings(String group, List<String> topics, int workers, int batchSize, Duration block,
                           Duration reclaimIdle, int maxDeliveries, Duration baseBackoff, Duration maxBackoff) {
        public Settings {
            requireNonNull(group, "group");
            topics = List.copyOf(topics);
            if (topics.isEmpty() || workers < 1 || batchSize < 1 || maxDeliveries < 1) {
                throw new IllegalArgumentException("topics, workers, batch size and max deliveries must be positive");
            }
        }

        /** Defaults: 2 workers, batches of 50, reclaim after 30 s idle, 5 deliveries, backoff 200 ms up to 10 s. */
        public static Settings of(String group, List<String> topics) {
            return new Settings(group, topics, 2, 50, Duration.ofMillis(200), Duration.ofSeconds(30), 5,
                                Duration.ofMillis(200), Duration.ofSeconds(10));
        }

        /**
         * Defaults overridden by {@code PINHOLE_QUEUE_WORKERS}, {@code PINHOLE_QUEUE_BATCH},
         * {@code PINHOLE_QUEUE_RECLAIM_IDLE}, {@code PINHOLE_QUEUE_MAX_DELIVERIES},
         * {@code PINHOLE_QUEUE_BACKOFF_BASE} and {@code PINHOLE_QUEUE_BACKOFF_MAX}.
         */
        public static Settings fromEnvironment(Env env, String group, List<String> topics) {
            final Settings defaults = of(group, topics);
            return new Settings(group, topics,
                    env.integer("PINHOLE_QUEUE_WORKERS", defaults.workers()),
                    env.integer("PINHOLE_QUEUE_BATCH", defaults.batchSize()),
                    defaults.block(),
                    env.duration("PINHOLE_QUEUE_RECLAIM_IDLE", defaults.reclaimIdle()),
                    env.integer("PINHOLE_QUEUE_MAX_DELIVERIES", defaults.maxDeliveries()),
                    env.duration("PINHOLE_QUEUE_BACKOFF_BASE", defaults.baseBackoff()),
                    env.duration("PINHOLE_QUEUE_BACKOFF_MAX", defaults.maxBackoff()));
        }

        public Settings withWorkers(int count) {
            return new Settings(group, topics, count, batchSize, block, reclaimIdle, maxDeliveries, baseBackoff,
                                maxBackoff);
        }

        public Settings withRedelivery(Duration reclaim, int deliveries, Duration base, Duration max) {
            return new Settings(group, topics, workers, batchSize, block, reclaim, deliveries, base, max);
        }
    }

    /** The stream holding {@code group}'s dead letters of {@code topic}. */
    public static String deadLetterStream(String topic, String group) {
        return topic + ":dead:" + group;
    }

    private final RedisClient client;
    private final Settings settings;
    private final EventHandler handler;
    private final String instance = UUID.randomUUID().toString().substring(0, 8);
    private final List<Thread> threads = new ArrayList<>();
    private final Counter handled;
    private final Counter retries;
    private final Counter deadLetters;
    private final Timer handlerLatency;
    private final Map<String, AtomicLong> lag = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, AtomicLong> pending = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closing;

    private StreamConsumer(RedisClient client, Settings settings, EventHandler handler, MeterRegistry meters) {
        this.client = requireNonNull(client, "client");
        this.settings = requireNonNull(settings, "settings");
        this.handler = requireNonNull(handler, "handler");
        final MeterRegistry registry = meters != null ? meters : Metrics.globalRegistry;
        final String group = settings.group();
        handled = Counter.builder("pinhole.queue.handled").tag("group", group).register(registry);
        retries = Counter.builder("pinhole.queue.retries").tag("group", group).register(registry);
        deadLetters = Counter.builder("pinhole.queue.dead_letters").tag("group", group).register(registry);
        handlerLatency = Timer.builder("pinhole.queue.handler").tag("group", group)
                              .publishPercentiles(0.5, 0.99).register(registry);
        for (String topic : settings.topics()) {
            lag.put(topic, new AtomicLong());
            pending.put(topic, new AtomicLong());
            Gauge.builder("pinhole.queue.lag", lag.get(topic), AtomicLong::get).tag("group", group).tag("topic", topic)
                 .description("entries not yet delivered to the group").register(registry);
            Gauge.builder("pinhole.queue.pending", pending.get(topic), AtomicLong::get).tag("group", group)
                 .tag("topic", topic).description("entries delivered and not yet acknowledged").register(registry);
        }
    }

    /**
     * Starts the workers. Each creates the group on every topic (from the beginning of the stream) if needed; while
     * Redis is unreachable, workers keep retrying, so a service starts whether or not Redis is up.
     */
    public static StreamConsumer start(RedisClient client, Settings settings, EventHandler handler,
                                       MeterRegistry meters) {
        final StreamConsumer consumer = new StreamConsumer(client, settings, handler, meters);
        for (int i = 0; i < settings.workers(); i++) {
            final Thread thread = new Thread(consumer.new Worker(consumer.instance + "-" + i, i == 0),
                                             settings.group() + "-worker-" + i);
            thread.setDaemon(true);
            consumer.threads.add(thread);
            thread.start();
        }
        return consumer;
    }

    private StatefulRedisConnection<String, byte[]> connect() {
        return client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    }

    /** Stops the workers; entries they hold stay pending and are reclaimed by other instances. */
    @Override
    public void close() {
        closing = true;
        threads.forEach(Thread::interrupt);
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private record Retry(String topic, String id, long dueNanos) {}

    private final class Worker implements Runnable {
        private final Consumer<String> consumer;
        private final PriorityQueue<Retry> retryQueue = new PriorityQueue<>(
                (a, b) -> Long.compare(a.dueNanos(), b.dueNanos()));
        private long lastReclaim;
        private long lastTrim = System.nanoTime();
        private long lastStats;
        private final boolean trims;

        Worker(String name, boolean trims) {
            this.consumer = Consumer.from(settings.group(), name);
            this.trims = trims;
        }

        @Override
        public void run() {
            while (!closing) {
                try (StatefulRedisConnection<String, byte[]> connection = connect()) {
                    consume(connection.sync());
                } catch (RuntimeException e) {
                    if (closing) {
                        break;
                    }
                    log.warn("{} worker {}: {}; retrying", settings.group(), consumer.getName(), e.toString());
                    pause(Duration.ofMillis(500));
                }
            }
        }

        private void consume(RedisCommands<String, byte[]> redis) {
            ensureGroups(redis);
            @SuppressWarnings("unchecked")
            final StreamOffset<String>[] offsets = settings.topics().stream()
                    .map(StreamOffset::lastConsumed).toArray(StreamOffset[]::new);
            while (!closing) {
                try {
                    retryDue(redis);
                    reclaimIdle(redis);
                    trimAcknowledged(redis);
                    refreshStats(redis);
                    for (StreamMessage<String, byte[]> message : redis.xreadgroup(consumer,
                            XReadArgs.Builder.block(settings.block()).count(settings.batchSize()), offsets)) {
                        deliver(redis, message.getStream(), message, 1);
                    }
                } catch (io.lettuce.core.RedisCommandExecutionException e) {
                    if (String.valueOf(e.getMessage()).startsWith("NOGROUP")) {
                        ensureGroups(redis); // the stream or group vanished (e.g. Redis restarted without data)
                    } else {
                        throw e;
                    }
                }
            }
        }

        private void ensureGroups(RedisCommands<String, byte[]> redis) {
            for (String topic : settings.topics()) {
                try {
                    redis.xgroupCreate(StreamOffset.from(topic, "0-0"), settings.group(),
                                       XGroupCreateArgs.Builder.mkstream());
                } catch (RedisBusyException alreadyThere) {
                    // BUSYGROUP: another worker or instance created it.
                }
            }
        }

        private void retryDue(RedisCommands<String, byte[]> redis) {
            while (!retryQueue.isEmpty() && retryQueue.peek().dueNanos() <= System.nanoTime()) {
                final Retry retry = retryQueue.poll();
                // XCLAIM counts a delivery; it returns nothing when the entry was acknowledged meanwhile.
                for (StreamMessage<String, byte[]> message : redis.xclaim(retry.topic(), consumer,
                        XClaimArgs.Builder.minIdleTime(0), retry.id())) {
                    deliver(redis, retry.topic(), message, deliveries(redis, retry.topic(), message.getId()));
                }
            }
        }

        private void reclaimIdle(RedisCommands<String, byte[]> redis) {
            final long now = System.nanoTime();
            if (now - lastReclaim < settings.reclaimIdle().toNanos() / 2) {
                return;
            }
            lastReclaim = now;
            for (String topic : settings.topics()) {
                final var claimed = redis.xautoclaim(topic, XAutoClaimArgs.Builder.xautoclaim(
                        consumer, settings.reclaimIdle(), "0-0").count(settings.batchSize()));
                for (StreamMessage<String, byte[]> message : claimed.getMessages()) {
                    deliver(redis, topic, message, deliveries(redis, topic, message.getId()));
                }
            }
        }

        private void trimAcknowledged(RedisCommands<String, byte[]> redis) {
            if (!trims || System.nanoTime() - lastTrim < TimeUnit.MINUTES.toNanos(1)) {
                return;
            }
            lastTrim = System.nanoTime();
            settings.topics().forEach(topic -> StreamTrimmer.trimAcknowledged(redis, topic));
        }

        /** Worker 0 refreshes the lag and pending gauges every 5 s from XINFO GROUPS. */
        private void refreshStats(RedisCommands<String, byte[]> redis) {
            if (!trims || System.nanoTime() - lastStats < TimeUnit.SECONDS.toNanos(5)) {
                return;
            }
            lastStats = System.nanoTime();
            for (String topic : settings.topics()) {
                for (Map<String, String> group : StreamTrimmer.groups(redis, topic)) {
                    if (settings.group().equals(group.get("name"))) {
                        pending.get(topic).set(Long.parseLong(group.getOrDefault("pending", "0")));
                        final String behind = group.get("lag");
                        lag.get(topic).set(behind == null || "null".equals(behind) ? 0 : Long.parseLong(behind));
                    }
                }
            }
        }

        private long deliveries(RedisCommands<String, byte[]> redis, String topic, String id) {
            final List<PendingMessage> pending = redis.xpending(topic, settings.group(), Range.create(id, id),
                                                                Limit.from(1));
            return pending.isEmpty() ? 1 : pending.get(0).getRedeliveryCount();
        }

        private void deliver(RedisCommands<String, byte[]> redis, String topic, StreamMessage<String, byte[]> message,
                             long deliveries) {
            final Map<String, byte[]> body = message.getBody();
            final byte[] replayGroup = body.get(REPLAY_GROUP);
            if (replayGroup != null && !settings.group().equals(new String(replayGroup, StandardCharsets.UTF_8))) {
                redis.xack(topic, settings.group(), message.getId());
                return;
            }
            final long started = System.nanoTime();
            try {
                final byte[] bytes = body.get(EVENT);
                if (bytes == null) {
                    throw new InvalidProtocolBufferException("entry has no event field");
                }
                handler.handle(EventEnvelope.parseFrom(bytes));
            } catch (InvalidProtocolBufferException poison) {
                deadLetter(redis, topic, message, deliveries, poison);
                return;
            } catch (Exception | AssertionError failure) {
                if (closing) {
                    return; // dying: the entry stays pending and another worker reclaims it
                }
                if (deliveries >= settings.maxDeliveries()) {
                    deadLetter(redis, topic, message, deliveries, failure);
                } else {
                    retries.increment();
                    retryQueue.add(new Retry(topic, message.getId(), System.nanoTime() + backoff(deliveries)));
                }
                return;
            } finally {
                handlerLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            }
            redis.xack(topic, settings.group(), message.getId());
            handled.increment();
        }

        private long backoff(long deliveries) {
            final double exponential = settings.baseBackoff().toNanos() * Math.pow(2, deliveries - 1);
            final double capped = Math.min(exponential, settings.maxBackoff().toNanos());
            return (long) (capped * (0.5 + ThreadLocalRandom.current().nextDouble() * 0.5));
        }

        private void deadLetter(RedisCommands<String, byte[]> redis, String topic,
                                StreamMessage<String, byte[]> message, long deliveries, Throwable error) {
            final Map<String, byte[]> entry = new HashMap<>();
            final byte[] event = message.getBody().get(EVENT);
            if (event != null) {
                entry.put(EVENT, event);
            }
            final byte[] eventId = message.getBody().get(EVENT_ID);
            if (eventId != null) {
                entry.put(EVENT_ID, eventId);
            }
            entry.put("source_id", utf8(message.getId()));
            entry.put("deliveries", utf8(Long.toString(deliveries)));
            entry.put("error", utf8(oneLine(error)));
            entry.put("dead_at", utf8(Instant.now().toString()));
            redis.xadd(deadLetterStream(topic, settings.group()), entry);
            redis.xack(topic, settings.group(), message.getId());
            deadLetters.increment();
            log.warn("{}: entry {} of {} dead-lettered after {} deliveries: {}", settings.group(), message.getId(),
                     topic, deliveries, oneLine(error));
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String oneLine(Throwable error) {
        final String text = (error.getClass().getSimpleName() + ": " + error.getMessage()).replaceAll("\\s+", " ");
        return text.substring(0, Math.min(500, text.length()));
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis()); // back off after a Redis failure before trying again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
