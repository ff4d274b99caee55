package io.pinhole.devstack;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pinhole's real local infrastructure: PostgreSQL physical servers, Redis, memcached, an S3-compatible server and
 * Solr, each started on first use and then shared.
 *
 * <pre>{@code
 * try (Devstack devstack = Devstack.create(DevstackConfig.forTests())) {
 *     PostgresServer db = devstack.postgres().server(0);   // starts PostgreSQL only
 *     db.createDatabase("pinhole_media");
 *     Map<String, String> env = devstack.environment();    // starts everything, for a service's Env
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops whatever was started, in reverse order, and leaves no process behind; a JVM shutdown hook
 * does the same if the JVM exits first (Ctrl-C, SIGTERM). Tests get one shared instance per JVM through
 * {@link DevstackExtension}. Thread-safe.
 */
public final class Devstack implements AutoCloseable {

    /** The bucket of {@code PINHOLE_S3_BUCKET} in {@link #environment()} and of {@code ./pinhole up}. */
    public static final String DEFAULT_BUCKET = "pinhole-media";

    private static final Logger log = LoggerFactory.getLogger(Devstack.class);

    private final DevstackContext context;
    private final Thread shutdownHook;
    private final Deque<Runnable> stopsInReverseOrder = new ArrayDeque<>();

    private final Object postgresLock = new Object();
    private final Object redisLock = new Object();
    private final Object memcachedLock = new Object();
    private final Object s3Lock = new Object();
    private final Object solrLock = new Object();
    private PostgresCluster postgres;
    private RedisServer redis;
    private MemcachedServer memcached;
    private Thread postgresWatch; // started by the first nextUnexpectedExit: only DevstackMain supervises
    private S3Server s3;
    private SolrServer solr;

    private Devstack(DevstackConfig config) {
        this.context = new DevstackContext(config);
        this.shutdownHook = new Thread(this::closeAtShutdown, "devstack-shutdown");
    }

    /** A devstack with nothing started yet; components start on first access. */
    public static Devstack create(DevstackConfig config) {
        requireNonNull(config, "config");
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the devstack data directory " + config.dataDir(), e);
        }
        final Devstack devstack = new Devstack(config);
        Runtime.getRuntime().addShutdownHook(devstack.shutdownHook);
        log.info("devstack data in {} (logs in {})", config.dataDir(), devstack.context.logDir());
        return devstack;
    }

    public DevstackConfig config() {
        return context.config();
    }

    /** The PostgreSQL physical servers, started (in parallel) on first call. */
    public PostgresCluster postgres() {
        synchronized (postgresLock) {
            context.ensureOpen();
            if (postgres == null) {
                final PostgresCluster started = PostgresCluster.start(context);
                register(started::stop);
                postgres = started;
            }
            return postgres;
        }
    }

    /** Redis, started on first call. */
    public RedisServer redis() {
        synchronized (redisLock) {
            context.ensureOpen();
            if (redis == null) {
                final RedisServer started = RedisServer.start(context);
                register(started::stop);
                redis = started;
            }
            return redis;
        }
    }

    /** memcached, started on first call. */
    public MemcachedServer memcached() {
        synchronized (memcachedLock) {
            context.ensureOpen();
            if (memcached == null) {
                final MemcachedServer started = MemcachedServer.start(context);
                register(started::stop);
                memcached = started;
            }
            return memcached;
        }
    }

    /** The S3-compatible server, started on first call (its own JVM, about a second). */
    public S3Server s3() {
        synchronized (s3Lock) {
            context.ensureOpen();
            if (s3 == null) {
                final S3Server started = S3Server.start(context);
                register(started::stop);
                s3 = started;
            }
            return s3;
        }
    }

    /** Solr, started on first call (its own JVM, a few seconds). */
    public SolrServer solr() {
        synchronized (solrLock) {
            context.ensureOpen();
            if (solr == null) {
                final SolrServer started = SolrServer.start(context);
                register(started::stop);
                solr = started;
            }
            return solr;
        }
    }

    /** Starts every component that is not running yet, in parallel. */
    public void startAll() {
        Parallel.run(List.of(this::postgres, this::redis, this::memcached, this::s3, this::solr));
    }

    /**
     * The variables the services read, for {@link #DEFAULT_BUCKET}: starts every component and creates the bucket.
     * Tests that need one server only should ask for it ({@link #postgres()}, {@link #redis()} …) and use its own
     * {@code environment()}, so that Solr is not started for nothing.
     */
    public Map<String, String> environment() {
        return environment(DEFAULT_BUCKET);
    }

    /**
     * {@code PINHOLE_DB_SERVERS}, {@code PINHOLE_DB_USER}, {@code PINHOLE_DB_PASSWORD}, {@code PINHOLE_REDIS_URI},
     * {@code PINHOLE_MEMCACHED_SERVERS}, {@code PINHOLE_SOLR_URL}, {@code PINHOLE_S3_ENDPOINT},
     * {@code PINHOLE_S3_REGION}, {@code PINHOLE_S3_ACCESS_KEY}, {@code PINHOLE_S3_SECRET_KEY} and
     * {@code PINHOLE_S3_BUCKET} (= {@code bucket}, created if needed), in that order. Starts every component.
     */
    public Map<String, String> environment(String bucket) {
        requireNonNull(bucket, "bucket");
        startAll();
        final Map<String, String> environment = new LinkedHashMap<>();
        environment.putAll(postgres().environment());
        environment.putAll(redis().environment());
        environment.putAll(memcached().environment());
        environment.putAll(solr().environment());
        environment.putAll(s3().environment(bucket));
        return Collections.unmodifiableMap(environment);
    }

    /** Whether {@link #close()} has been called (or the JVM is shutting down). */
    public boolean isClosed() {
        return context.isClosed();
    }

    /**
     * Stops every started component in reverse start order, kills anything still starting, and deletes the data if
     * the configuration says so. Idempotent.
     */
    @Override
    public void close() {
        if (!closeOnce()) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: nothing left for it to do
        }
    }

    private void closeAtShutdown() {
        closeOnce();
    }

    private boolean closeOnce() {
        final List<Runnable> stops;
        synchronized (stopsInReverseOrder) {
            if (context.isClosed()) {
                return false;
            }
            context.markClosed();
            stops = List.copyOf(stopsInReverseOrder);
            stopsInReverseOrder.clear();
        }
        for (Runnable stop : stops) {
            try {
                stop.run();
            } catch (RuntimeException e) {
                log.warn("error while stopping a devstack component", e);
            }
        }
        // Anything caught half-way through its start (close() from another thread, Ctrl-C during start-up).
        for (ChildProcess child : context.liveChildren()) {
            child.stop();
        }
        if (context.config().deleteDataOnClose()) {
            deleteDataKeepingLogs();
        }
        log.info("devstack stopped");
        return true;
    }

    private void register(Runnable stop) {
        synchronized (stopsInReverseOrder) {
            if (context.isClosed()) {
                stop.run();
                throw new IllegalStateException("this devstack was closed while a component was starting");
            }
            stopsInReverseOrder.push(stop);
        }
    }

    private void deleteDataKeepingLogs() {
        final Path dataDir = context.dataDir();
        final Path logs = context.logDir();
        try (Stream<Path> paths = Files.walk(dataDir)) {
            paths.sorted(Comparator.reverseOrder())
                    .filter(path -> !path.startsWith(logs) && !path.equals(dataDir))
                    .forEach(path -> {
                        try {
                            Files.deleteIfExists(path);
                        } catch (IOException e) {
                            log.debug("could not delete {}", path, e);
                        }
                    });
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not delete the devstack data in {}", dataDir, e);
        }
    }

    /**
     * Waits for the next component that dies without being asked to: a child process (Redis, memcached, Solr) as its
     * process exits, a PostgreSQL server as its postmaster is found gone (checked every 200 ms). Returns the name
     * {@link #restart} takes.
     */
    String nextUnexpectedExit() throws InterruptedException {
        synchronized (this) {
            if (postgresWatch == null) {
                postgresWatch = Thread.ofPlatform().daemon().name("devstack-postgres-watch").start(this::watchPostgres);
            }
        }
        return context.nextUnexpectedExit();
    }

    private void watchPostgres() {
        final java.util.Set<Integer> reported = new java.util.HashSet<>();
        while (!context.isClosed()) {
            for (PostgresServer server : postgres().servers()) {
                if (server.crashed()) {
                    if (reported.add(server.index())) {
                        log.warn("postgres-{} exited (its postmaster is gone)", server.index());
                        context.childExitedUnexpectedly("postgres-" + server.index());
                    }
                } else {
                    reported.remove(server.index());
                }
            }
            try {
                Thread.sleep(200); // the postmaster is not our child: nothing tells us it died, so look
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Starts a component that died again, on its port and with its data: {@code redis}, {@code postgres-0} … */
    void restart(String component) {
        switch (component) {
            case "redis" -> redis().start();
            case "memcached" -> memcached().start();
            case "solr" -> solr().start();
            default -> {
                if (!component.startsWith("postgres-")) {
                    throw new IllegalArgumentException("devstack cannot restart '" + component + "'");
                }
                postgres().server(Integer.parseInt(component.substring("postgres-".length()))).restartAfterCrash();
            }
        }
    }

    /** Children running right now (for tests: none may be left after close). */
    List<ChildProcess> liveChildren() {
        return context.liveChildren();
    }

    @Override
    public String toString() {
        return "Devstack[" + context.dataDir() + (isClosed() ? ", closed" : "") + "]";
    }
}
