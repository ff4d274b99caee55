package io.pinhole.notify;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pinhole.platform.shard.ShardMap;
import io.pinhole.platform.shard.ShardedDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery queue: jobs in the {@code jobs} table of each logical shard, claimed with {@code FOR UPDATE SKIP
 * LOCKED} and a lease (so replicas share the work and a crashed replica's jobs come back after the lease), run on
 * virtual threads (at most {@code workers} at once), retried with exponential backoff and jitter, and finished as
 * done rows kept for the retention period so that their dedupe keys keep redelivered events from delivering twice.
 *
 * <p>Why not only the event stream's own retries: one event fans out to many devices, subscribers and providers,
 * and each target needs its own retry state (a failing webhook must not re-send a push), its own schedule (an
 * aggregation window, a provider outage of hours) and must outlive the stream's bounded deliveries.
 */
final class Jobs implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Jobs.class);
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLAIM_BATCH = 50;

    /** What a job does; the name is stored. */
    enum Kind { NOTIFICATION, PUSH, WEBHOOK, WEBHOOK_LOCATION, SHARE }

    /** A job to insert in {@code shard}; a second insert with the same key is ignored. */
    record NewJob(int shard, Kind kind, String dedupeKey, ObjectNode payload, Instant dueAt) {}

    /** A claimed job. */
    record Job(long id, int shard, Kind kind, String dedupeKey, ObjectNode payload, int attempts, Instant createdAt) {}

    /** How a run ended: an outcome for metrics and the row, and jobs it hands on. */
    record Result(String outcome, List<NewJob> followUps) {
        static Result done(String outcome) {
            return new Result(outcome, List.of());
        }
    }

    /** How long a kind keeps trying: attempts and age, whichever ends first. */
    record Policy(int maxAttempts, Duration maxAge) {}

    /** Runs one kind of job; throwing means "try again later", {@link GiveUp} means "never". */
    interface Runner {
        Result run(Job job) throws Exception;
    }

    /** A failure retrying cannot fix. */
    static final class GiveUp extends RuntimeException {
        GiveUp(String message) {
            super(message);
        }
    }

    private final ShardedDatabase database;
    private final NotifySettings settings;
    private final Map<Kind, Runner> runners = new EnumMap<>(Kind.class);
    private final Map<Kind, Policy> policies = new EnumMap<>(Kind.class);
    private final MeterRegistry meters;
    private final Map<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Kind, Timer> timers = new EnumMap<>(Kind.class);
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore slots;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private Instant nextWake = Instant.EPOCH;
    private volatile boolean closing;
    private Thread dispatcher;

    Jobs(ShardedDatabase database, NotifySettings settings, MeterRegistry meters) {
        this.database = requireNonNull(database, "database");
        this.settings = requireNonNull(settings, "settings");
        this.meters = requireNonNull(meters, "meters");
        this.slots = new Semaphore(settings.jobWorkers());
        for (Kind kind : Kind.values()) {
            timers.put(kind, Timer.builder("pinhole.notify.job").tag("kind", kind.name().toLowerCase())
                                  .description("time to run one delivery job").register(meters));
        }
    }

    void register(Kind kind, Policy policy, Runner runner) {
        policies.put(kind, policy);
        runners.put(kind, runner);
    }

    /** Inserts jobs, grouped into one transaction per shard, and wakes the dispatcher for the earliest. */
    void enqueue(List<NewJob> jobs) {
        final Map<Integer, List<NewJob>> byShard = new LinkedHashMap<>();
        jobs.forEach(job -> byShard.computeIfAbsent(job.shard(), shard -> new ArrayList<>()).add(job));
        Instant earliest = null;
        for (var entry : byShard.entrySet()) {
            final String schema = ShardMap.schemaOf(entry.getKey());
            database.inShard(entry.getKey(), session -> {
                final NotifyMapper mapper = session.getMapper(NotifyMapper.class);
                for (NewJob job : entry.getValue()) {
                    mapper.insertJob(schema, job.kind().name(), job.dedupeKey(), write(job.payload()), job.dueAt());
                }
                return null;
            });
            for (NewJob job : entry.getValue()) {
                earliest = earliest == null || job.dueAt().isBefore(earliest) ? job.dueAt() : earliest;
            }
        }
        if (earliest != null) {
            wakeAt(earliest);
        }
    }

    void start() {
        dispatcher = Thread.ofPlatform().daemon().name("notify-dispatcher").start(this::dispatch);
    }

    private void wakeAt(Instant when) {
        lock.lock();
        try {
            if (when.isBefore(nextWake)) {
                nextWake = when;
                wake.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void dispatch() {
        final int shards = database.shardMap().logicalShards();
        long nextPrune = 0;
        while (!closing) {
            boolean claimedAny = false;
            Instant earliestFuture = null;
            try {
                lock.lock();
                try {
                    nextWake = Instant.now().plus(settings.poll());
                } finally {
                    lock.unlock();
                }
                for (int shard = 0; shard < shards && !closing; shard++) {
                    final int free = slots.availablePermits();
                    if (free == 0) {
                        slots.acquire();
                        slots.release();
                        continue;
                    }
                    final List<NotifyMapper.JobRow> rows = claim(shard, Math.min(free, CLAIM_BATCH));
                    claimedAny |= !rows.isEmpty();
                    for (NotifyMapper.JobRow row : rows) {
                        slots.acquire();
                        final int inShard = shard;
                        executor.execute(() -> {
                            try {
                                run(inShard, row);
                            } finally {
                                slots.release();
                            }
                        });
                    }
                }
                if (System.nanoTime() > nextPrune) {
                    nextPrune = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                    earliestFuture = pruneAndFindNextDue(shards);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("dispatcher pass failed; trying again", e);
            }
            if (earliestFuture != null) {
                wakeAt(earliestFuture);
            }
            if (!claimedAny) {
                lock.lock();
                try {
                    long waitNanos;
                    while (!closing && (waitNanos = Duration.between(Instant.now(), nextWake).toNanos()) > 0) {
                        wake.awaitNanos(waitNanos);
                    }
                } catch (InterruptedException e) {
                    return;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private List<NotifyMapper.JobRow> claim(int shard, int limit) {
        return database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .claimJobs(ShardMap.schemaOf(shard), limit, settings.jobLease().toMillis() / 1000.0));
    }

    private Instant pruneAndFindNextDue(int shards) {
        Instant earliest = null;
        for (int shard = 0; shard < shards; shard++) {
            final String schema = ShardMap.schemaOf(shard);
            final Instant due = database.inShard(shard, session -> {
                final NotifyMapper mapper = session.getMapper(NotifyMapper.class);
                mapper.pruneJobs(schema, settings.jobRetention().toMillis() / 1000.0);
                return mapper.nextDue(schema);
            });
            if (due != null && (earliest == null || due.isBefore(earliest))) {
                earliest = due;
            }
        }
        return earliest;
    }

    private void run(int shard, NotifyMapper.JobRow row) {
        final Kind kind;
        final ObjectNode payload;
        try {
            kind = Kind.valueOf(row.kind);
            payload = (ObjectNode) JSON.readTree(row.payload);
        } catch (RuntimeException | JsonProcessingException e) {
            finish(shard, row.id, "unknown_kind", "unreadable job: " + e.getMessage(), "unknown");
            return;
        }
        final Job job = new Job(row.id, shard, kind, row.dedupeKey, payload, row.attempts, row.createdAt);
        final Policy policy = policies.get(kind);
        final Timer.Sample sample = Timer.start(meters);
        try {
            final Result result = runners.get(kind).run(job);
            if (!result.followUps().isEmpty()) {
                enqueue(result.followUps());
            }
            finish(shard, row.id, result.outcome(), null, kind.name());
        } catch (GiveUp e) {
            finish(shard, row.id, "failed", e.getMessage(), kind.name());
        } catch (Exception e) {
            final boolean tooOld = row.createdAt != null
                                   && row.createdAt.plus(policy.maxAge()).isBefore(Instant.now());
            if (row.attempts >= policy.maxAttempts() || tooOld) {
                log.warn("{} job {} failed for good after {} attempts: {}", kind, row.id, row.attempts, e.toString());
                finish(shard, row.id, "failed", String.valueOf(e), kind.name());
            } else {
                final Duration delay = backoff(row.attempts);
                count(kind.name(), "retry");
                log.debug("{} job {} attempt {} failed, retrying in {}: {}", kind, row.id, row.attempts, delay, e.toString());
                database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                        .retryJob(ShardMap.schemaOf(shard), row.id, delay.toMillis() / 1000.0, truncate(String.valueOf(e))));
                wakeAt(Instant.now().plus(delay));
            }
        } finally {
            sample.stop(timers.get(kind));
        }
    }

    /** {@code base × 2^(attempts-1)}, capped, times a random 0.5–1.0 so that a burst of failures spreads out. */
    Duration backoff(int attempts) {
        final long base = settings.retryBase().toMillis();
        final long capped = Math.min(settings.retryMax().toMillis(), base << Math.min(attempts - 1, 30));
        return Duration.ofMillis((long) (capped * ThreadLocalRandom.current().nextDouble(0.5, 1.0)));
    }

    private void finish(int shard, long id, String outcome, String error, String kind) {
        database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .finishJob(ShardMap.schemaOf(shard), id, outcome, error == null ? null : truncate(error)));
        count(kind, outcome);
    }

    private void count(String kind, String outcome) {
        counters.computeIfAbsent(kind + "/" + outcome, key -> Counter.builder("pinhole.notify.jobs")
                .tag("kind", kind.toLowerCase()).tag("outcome", outcome)
                .description("delivery jobs by how they ended (retry: one failed attempt)").register(meters)).increment();
    }

    private static String truncate(String text) {
        return text.length() <= 1000 ? text : text.substring(0, 1000);
    }

    static String write(ObjectNode payload) {
        try {
            return JSON.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closing = true;
        if (dispatcher != null) {
            dispatcher.interrupt();
            try {
                dispatcher.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
