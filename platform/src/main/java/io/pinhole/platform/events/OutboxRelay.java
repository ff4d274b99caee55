package io.pinhole.platform.events;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.platform.shard.ShardedDatabase;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves committed outbox rows of every logical shard to Redis Streams, in id order, and marks them sent.
 *
 * <p>One relay at a time works on a shard: a pass over a shard runs in one transaction holding
 * {@code pg_try_advisory_xact_lock(20554, shard)}, so two replicas of a service never publish the same row and a
 * shard's rows (hence each aggregate's events) are published in order; a replica that finds the lock taken moves on
 * to the next shard. Rows are marked sent in the same transaction only after Redis acknowledged every XADD, so a
 * Redis outage or a crash leaves them unsent and they are published on a later pass: delivery is at least once,
 * and consumers deduplicate by {@code event_id}. Sent rows are deleted after {@link Settings#retention()}.
 */
public final class OutboxRelay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final int RELAY_LOCK_NAMESPACE = 20554;

    /** How the relay paces itself. Environment: {@code PINHOLE_OUTBOX_*} (see platform/README.md). */
    public record Settings(int batchSize, Duration idlePoll, Duration retention, Duration redisTimeout) {
        public static Settings defaults() {
            return new Settings(500, Duration.ofMillis(500), Duration.ofHours(1), Duration.ofSeconds(2));
        }

        /** {@code PINHOLE_OUTBOX_BATCH}, {@code PINHOLE_OUTBOX_POLL}, {@code PINHOLE_OUTBOX_RETENTION}. */
        public static Settings fromEnvironment(io.pinhole.platform.config.Env env) {
            final Settings defaults = defaults();
            return new Settings(env.integer("PINHOLE_OUTBOX_BATCH", defaults.batchSize()),
                                env.duration("PINHOLE_OUTBOX_POLL", defaults.idlePoll()),
                                env.duration("PINHOLE_OUTBOX_RETENTION", defaults.retention()),
                                env.duration("PINHOLE_REDIS_TIMEOUT", defaults.redisTimeout()));
        }
    }

    private final ShardedDatabase database;
    private final RedisClient redisClient;
    private volatile StatefulRedisConnection<String, byte[]> redis;
    private final Settings settings;
    private final Counter published;
    private final MeterRegistry registry;
    private final Map<EventEnvelope.PayloadCase, Counter> eventCounters = new java.util.concurrent.ConcurrentHashMap<>();
    private final Timer passTimer;
    private final AtomicLong backlog = new AtomicLong();
    private ScheduledExecutorService loop;

    // Bumped after every commit in this process that wrote to an outbox; idle relays wait for it to change.
    private static final Object wakeUps = new Object();
    private static long commits;

    /** Wakes the idle relays of this process: an outbox row was just committed. Called by {@link Outbox}. */
    static void wakeUp() {
        synchronized (wakeUps) {
            commits++;
            wakeUps.notifyAll();
        }
    }

    /** Waits until an outbox commit happens after {@code seen} or {@code timeout} passes. */
    private static void awaitCommitAfter(long seen, long timeoutMillis) throws InterruptedException {
        final long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (wakeUps) {
            long left = timeoutMillis;
            while (commits == seen && left > 0) {
                wakeUps.wait(left);
                left = deadline - System.currentTimeMillis();
            }
        }
    }

    private static long commitsSoFar() {
        synchronized (wakeUps) {
            return commits;
        }
    }

    private OutboxRelay(ShardedDatabase database, RedisClient redisClient, Settings settings, MeterRegistry meters) {
        this.database = requireNonNull(database, "database");
        this.settings = requireNonNull(settings, "settings");
        this.redisClient = requireNonNull(redisClient, "redisClient");
        this.registry = meters != null ? meters : Metrics.globalRegistry;
        this.published = Counter.builder("pinhole.outbox.published").description("events moved to Redis Streams")
                                .register(registry);
        this.passTimer = Timer.builder("pinhole.outbox.pass").description("one relay pass over every shard")
                              .register(registry);
        for (EventEnvelope.PayloadCase kind : EventEnvelope.PayloadCase.values()) {
            if (kind != EventEnvelope.PayloadCase.PAYLOAD_NOT_SET) {
                eventCounters.put(kind, eventCounter(kind)); // every series from the start: rates work at once
            }
        }
        Gauge.builder("pinhole.outbox.backlog", backlog, AtomicLong::get)
             .description("unsent outbox rows left after the last pass").register(registry);
    }

    /**
     * The relay's own connection, opened on first use so that a service starts while Redis is down (Lettuce then
     * reconnects by itself). Automatic flushing is off: the relay pipelines a batch of XADDs.
     */
    private synchronized StatefulRedisConnection<String, byte[]> redis() {
        if (redis == null) {
            final StatefulRedisConnection<String, byte[]> connection =
                    redisClient.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            connection.setAutoFlushCommands(false);
            redis = connection;
        }
        return redis;
    }

    /** A relay that runs only when {@link #relayOnce()} is called (tests, benchmarks). */
    public static OutboxRelay create(ShardedDatabase database, RedisClient redis, Settings settings,
                                     MeterRegistry meters) {
        return new OutboxRelay(database, redis, settings, meters);
    }

    /** A relay running in the background: passes back to back while there is work, every idle poll otherwise. */
    public static OutboxRelay start(ShardedDatabase database, RedisClient redis, Settings settings,
                                    MeterRegistry meters) {
        final OutboxRelay relay = new OutboxRelay(database, redis, settings, meters);
        relay.loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final Thread thread = new Thread(runnable, "outbox-relay");
            thread.setDaemon(true);
            return thread;
        });
        relay.loop.execute(relay::runLoop);
        relay.loop.scheduleWithFixedDelay(relay::pruneSafely, 1, 1, TimeUnit.MINUTES);
        return relay;
    }

    /**
     * One pass, then the next: at once while there is work; after a failure, half a second later; when idle, as soon
     * as this process commits an outbox row or after the idle poll (rows written by other processes), whichever
     * comes first. An idle relay therefore costs one pass per idle poll, not a pass every few milliseconds.
     */
    private void runLoop() {
        if (loop.isShutdown()) {
            return;
        }
        long delay = 0;
        try {
            final long seen = commitsSoFar();
            if (relayOnce() == 0) {
                awaitCommitAfter(seen, settings.idlePoll().toMillis());
            }
        } catch (InterruptedException e) {
            return; // closing
        } catch (RuntimeException e) {
            log.warn("outbox relay pass failed, retrying: {}", e.toString());
            delay = 500;
        }
        if (!loop.isShutdown()) {
            loop.schedule(this::runLoop, delay, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The business counters (the 2011 Munin graphs: sign-ups per minute, photos posted and likes per second):
     * {@code pinhole_events_published_total{event="media_posted"}} counts each committed fact once, when it leaves
     * the outbox, whichever service and replica produced it.
     */
    private void countEvent(byte[] payload) {
        EventEnvelope.PayloadCase kind;
        try {
            kind = EventEnvelope.parseFrom(payload).getPayloadCase();
        } catch (InvalidProtocolBufferException e) {
            kind = EventEnvelope.PayloadCase.PAYLOAD_NOT_SET; // not ours to judge here: consumers dead-letter it
        }
        eventCounters.computeIfAbsent(kind, this::eventCounter).increment();
    }

    private Counter eventCounter(EventEnvelope.PayloadCase kind) {
        return Counter.builder("pinhole.events.published").tag("event", kind.name().toLowerCase(java.util.Locale.ROOT))
                      .description("committed events published, by type").register(registry);
    }

    /** One pass over every logical shard; returns how many events were published. */
    public int relayOnce() {
        final long started = System.nanoTime();
        int total = 0;
        long remaining = 0;
        for (int shard = 0; shard < database.shardMap().logicalShards(); shard++) {
            final long[] counts = relayShard(shard);
            total += (int) counts[0];
            remaining += counts[1];
        }
        backlog.set(remaining);
        passTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        return total;
    }

    /** Returns {published, unsent rows left}; the rows left are counted only when a full batch was taken. */
    private long[] relayShard(int shard) {
        return database.inShard(shard, session -> {
            final Connection connection = session.getConnection();
            try {
                if (!tryLock(connection, shard)) {
                    return new long[] {0, 0};
                }
                final List<Long> ids = new ArrayList<>();
                final List<byte[]> payloads = new ArrayList<>();
                final List<RedisFuture<String>> acks = new ArrayList<>();
                final StatefulRedisConnection<String, byte[]> stream = redis();
                final RedisAsyncCommands<String, byte[]> commands = stream.async();
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT id, topic, event_id, payload FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?")) {
                    select.setInt(1, settings.batchSize());
                    try (ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            ids.add(rows.getLong(1));
                            payloads.add(rows.getBytes(4));
                            acks.add(commands.xadd(rows.getString(2), Map.of(
                                    StreamConsumer.EVENT, rows.getBytes(4),
                                    StreamConsumer.EVENT_ID,
                                    rows.getString(3).getBytes(java.nio.charset.StandardCharsets.UTF_8))));
                        }
                    }
                }
                if (ids.isEmpty()) {
                    return new long[] {0, 0};
                }
                stream.flushCommands();
                awaitAll(acks);
                try (PreparedStatement update = connection.prepareStatement(
                        "UPDATE outbox SET sent_at = clock_timestamp() WHERE id = ANY (?)")) {
                    final Array array = connection.createArrayOf("bigint", ids.toArray());
                    update.setArray(1, array);
                    update.executeUpdate();
                }
                published.increment(ids.size());
                payloads.forEach(this::countEvent);
                return new long[] {ids.size(), ids.size() < settings.batchSize() ? 0 : unsent(connection)};
            } catch (SQLException e) {
                throw new IllegalStateException("relaying outbox of shard " + shard + " failed", e);
            }
        });
    }

    private static long unsent(Connection connection) throws SQLException {
        try (PreparedStatement count = connection.prepareStatement(
                "SELECT count(*) FROM outbox WHERE sent_at IS NULL");
             ResultSet row = count.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private static boolean tryLock(Connection connection, int shard) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_xact_lock(?, ?)")) {
            lock.setInt(1, RELAY_LOCK_NAMESPACE);
            lock.setInt(2, shard);
            try (ResultSet row = lock.executeQuery()) {
                row.next();
                return row.getBoolean(1);
            }
        }
    }

    private void awaitAll(List<RedisFuture<String>> acks) {
        final long deadline = System.nanoTime() + settings.redisTimeout().toNanos();
        for (RedisFuture<String> ack : acks) {
            try {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // Roll the transaction back: nothing is marked sent, the next pass publishes the rows again.
                throw new IllegalStateException("Redis did not acknowledge the batch: " + e, e);
            }
        }
    }

    /** Deletes sent rows older than the retention; returns how many. */
    public int prune() {
        int deleted = 0;
        for (int shard = 0; shard < database.shardMap().logicalShards(); shard++) {
            deleted += database.inShard(shard, session -> {
                try (PreparedStatement delete = session.getConnection().prepareStatement(
                        "DELETE FROM outbox WHERE sent_at < clock_timestamp() - ?::interval")) {
                    delete.setString(1, settings.retention().toMillis() + " milliseconds");
                    return delete.executeUpdate();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        return deleted;
    }

    private void pruneSafely() {
        try {
            prune();
        } catch (RuntimeException e) {
            log.warn("outbox prune failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.shutdownNow(); // interrupts an idle wait
            try {
                loop.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }
}
