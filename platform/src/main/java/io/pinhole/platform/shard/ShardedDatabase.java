package io.pinhole.platform.shard;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;
import org.apache.ibatis.mapping.Environment;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;
import org.apache.ibatis.session.SqlSessionFactoryBuilder;
import org.apache.ibatis.transaction.jdbc.JdbcTransactionFactory;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's sharded PostgreSQL database: one HikariCP pool and one MyBatis {@link SqlSessionFactory} per physical
 * server, and the {@link ShardMap} that routes each logical shard to one of them.
 *
 * <p>Work for one logical shard runs through {@link #inShard}: one transaction on the right server with
 * {@code SET LOCAL search_path} naming the shard's schema, so mappers use unqualified table names and the setting
 * never outlives the transaction (which keeps it correct behind pgbouncer in transaction mode).
 *
 * <p>The map can change while the service runs: {@link ShardMove} moves a logical shard to another server and records
 * the move in {@code public.pinhole_shard_moves} on every server (ADR 0009). The configured map is the initial layout;
 * the recorded moves are read at open, re-read every {@link Routing#mapRefreshInterval()}, and re-read at once when a
 * transaction meets a moving shard (its write fence, or its old schema gone). Such a transaction rolled back, so it is
 * run again once on the shard's new server; while the fence holds, writers wait up to {@link Routing#fenceWait()} for
 * the move to finish before they get a {@link ShardUnavailableException}.
 */
public final class ShardedDatabase implements AutoCloseable {

    /** Migrations every logical shard gets before the service's own (the ID generator, later the outbox). */
    public static final String PLATFORM_MIGRATIONS = "classpath:db/platform";

    /** The SQLSTATE a fenced (moving) shard's old copy raises on every write; class PH is Pinhole's own. */
    public static final String SHARD_MOVING_SQLSTATE = "PH001";

    private static final String UNDEFINED_TABLE = "42P01";
    private static final String INVALID_SCHEMA_NAME = "3F000";
    private static final Duration FENCE_POLL = Duration.ofMillis(50);

    private static final Logger log = LoggerFactory.getLogger(ShardedDatabase.class);

    /**
     * Commits of this thread's transactions: a transaction is run again after a move only if no transaction nested
     * in it has committed meanwhile (running it again would repeat that committed work).
     */
    private static final ThreadLocal<long[]> commitsOnThisThread = ThreadLocal.withInitial(() -> new long[1]);

    /**
     * How a database follows shard moves.
     *
     * @param mapRefreshInterval how often the recorded moves are re-read without any failure prompting it; bounds how
     *                           long a batch read across a server's shards can miss a moved shard
     * @param fenceWait          how long a write that meets a moving shard's fence waits for the move to finish;
     *                           longer than the fence of a move, which is a few hundred milliseconds (ADR 0009)
     */
    public record Routing(Duration mapRefreshInterval, Duration fenceWait) {

        /** Re-read every 3 s; writers wait up to 5 s for a fence. */
        public static final Routing DEFAULT = new Routing(Duration.ofSeconds(3), Duration.ofSeconds(5));

        public Routing {
            requireNonNull(mapRefreshInterval, "mapRefreshInterval");
            requireNonNull(fenceWait, "fenceWait");
            if (mapRefreshInterval.isNegative() || mapRefreshInterval.isZero()) {
                throw new IllegalArgumentException("mapRefreshInterval must be positive: " + mapRefreshInterval);
            }
        }
    }

    private final DatabaseConfig config;
    private final Routing routing;
    private final List<HikariDataSource> pools;
    private final List<SqlSessionFactory> sessionFactories;
    private final ReentrantLock refreshLock = new ReentrantLock();
    private final ScheduledExecutorService refresher;
    /** The current map: an immutable snapshot, replaced whole when the recorded moves change. */
    private volatile ShardMap shardMap;
    /** When the last completed re-read of the moves began ({@link System#nanoTime()}). */
    private volatile long lastRefreshStarted;

    private ShardedDatabase(DatabaseConfig config, Routing routing, List<HikariDataSource> pools,
                            List<SqlSessionFactory> sessionFactories) {
        this.config = config;
        this.routing = routing;
        this.pools = pools;
        this.sessionFactories = sessionFactories;
        final long started = System.nanoTime();
        this.shardMap = ShardMoveRecords.apply(config.shardMap(),
                ShardMoveRecords.readNewest(pools, config.database(), true), config.database());
        this.lastRefreshStarted = started;
        this.refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final Thread thread = new Thread(runnable, config.database() + "-shard-map");
            thread.setDaemon(true);
            return thread;
        });
        final long interval = routing.mapRefreshInterval().toMillis();
        refresher.scheduleWithFixedDelay(() -> refreshMap(System.nanoTime()), interval, interval,
                                         TimeUnit.MILLISECONDS);
    }

    /**
     * Opens a pool per physical server. {@code mybatis} registers the service's mappers and type handlers on each
     * server's configuration; {@code meterRegistry} (may be null) receives the pools' metrics and a count of the
     * statements each mapper method sends ({@link StatementMetrics}).
     */
    public static ShardedDatabase open(DatabaseConfig config, Consumer<Configuration> mybatis,
                                       MeterRegistry meterRegistry) {
        return open(config, mybatis, meterRegistry, Routing.DEFAULT);
    }

    /** {@link #open(DatabaseConfig, Consumer, MeterRegistry)} with chosen timings for following shard moves. */
    public static ShardedDatabase open(DatabaseConfig config, Consumer<Configuration> mybatis,
                                       MeterRegistry meterRegistry, Routing routing) {
        requireNonNull(config, "config");
        requireNonNull(mybatis, "mybatis");
        requireNonNull(routing, "routing");
        final List<HikariDataSource> pools = new ArrayList<>();
        final List<SqlSessionFactory> factories = new ArrayList<>();
        try {
            for (int server = 0; server < config.servers().size(); server++) {
                final HikariDataSource pool = newPool(config, server, meterRegistry);
                pools.add(pool);
                final Configuration configuration = new Configuration(
                        new Environment(config.database() + "-" + server, new JdbcTransactionFactory(), pool));
                configuration.setMapUnderscoreToCamelCase(true);
                configuration.setCacheEnabled(false);
                // MyBatis logs each statement's bound values at DEBUG under the mapper's name (io.pinhole.….upsertDevice
                // "==> Parameters: …"): device tokens, e-mail addresses, hashes. Under "sql." they stay silent when
                // someone turns io.pinhole up to DEBUG; SecretsInLogsTest in the gateway found it.
                configuration.setLogPrefix("sql.");
                if (meterRegistry != null) {
                    configuration.addInterceptor(new StatementMetrics(meterRegistry, server));
                }
                mybatis.accept(configuration);
                factories.add(new SqlSessionFactoryBuilder().build(configuration));
            }
            return new ShardedDatabase(config, routing, List.copyOf(pools), List.copyOf(factories));
        } catch (RuntimeException e) {
            pools.forEach(HikariDataSource::close);
            throw e;
        }
    }

    private static HikariDataSource newPool(DatabaseConfig config, int server, MeterRegistry meterRegistry) {
        final HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(config.database() + "-server-" + server);
        hikari.setJdbcUrl(config.jdbcUrl(server));
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(Math.min(2, config.poolSize()));
        hikari.setConnectionTimeout(config.connectionTimeout().toMillis());
        hikari.setAutoCommit(true);
        hikari.addDataSourceProperty("prepareThreshold", config.prepareThreshold());
        hikari.addDataSourceProperty("ApplicationName", config.database());
        // Do not fail construction when a server is briefly down: the pool retries and callers get UNAVAILABLE.
        hikari.setInitializationFailTimeout(-1);
        if (meterRegistry != null) {
            hikari.setMetricRegistry(meterRegistry);
        }
        return new HikariDataSource(hikari);
    }

    /** The current map: the configured one with every recorded move applied. Take it once per use, not per shard. */
    public ShardMap shardMap() {
        return shardMap;
    }

    /**
     * Re-reads the recorded moves unless a re-read that began at or after {@code requestedAt} ({@link
     * System#nanoTime()}) has completed; many threads meeting the same move cause one read. Keeps the current map
     * when no server answers or a record is unusable.
     */
    ShardMap refreshMap(long requestedAt) {
        refreshLock.lock();
        try {
            if (lastRefreshStarted - requestedAt >= 0) {
                return shardMap;
            }
            final long started = System.nanoTime();
            try {
                final ShardMap refreshed = ShardMoveRecords.apply(config.shardMap(),
                        ShardMoveRecords.readNewest(pools, config.database(), false), config.database());
                if (!refreshed.equals(shardMap)) {
                    log.info("shard map of {} is now {}", config.database(), refreshed);
                    shardMap = refreshed;
                }
            } catch (RuntimeException e) {
                log.error("keeping the shard map of {}: {}", config.database(), e.getMessage());
            }
            lastRefreshStarted = started;
            return shardMap;
        } finally {
            refreshLock.unlock();
        }
    }

    public DatabaseConfig config() {
        return config;
    }

    public DataSource dataSource(int physicalServer) {
        return pools.get(physicalServer);
    }

    public SqlSessionFactory sessionFactory(int physicalServer) {
        return sessionFactories.get(physicalServer);
    }

    /**
     * Runs {@code work} in one transaction on the server holding {@code logicalShard}, with the shard's schema as
     * the search path. Commits when {@code work} returns, rolls back when it throws.
     *
     * <p>When the shard is being moved, a write waits for the move to finish and {@code work} runs again on the new
     * server, once; so {@code work} may run twice, the first run rolled back (as for any rollback, effects outside
     * the transaction are not undone). It is not run again when a transaction nested in it had already committed: the
     * caller then gets a {@link ShardUnavailableException}, as when the move does not finish within the fence wait.
     */
    public <T> T inShard(int logicalShard, Function<SqlSession, T> work) {
        final ShardMap attempted = shardMap;
        final int server = attempted.physicalServerOf(logicalShard);
        final long commitsBefore = commitsOnThisThread.get()[0];
        try {
            return inShardOn(server, logicalShard, work);
        } catch (RuntimeException e) {
            final String state = shardMovingState(e);
            if (state == null) {
                throw e;
            }
            final ShardMap current = awaitMove(logicalShard, server, state);
            final int movedTo = current.physicalServerOf(logicalShard);
            if (movedTo == server) {
                if (SHARD_MOVING_SQLSTATE.equals(state)) {
                    throw new ShardUnavailableException(logicalShard, server, "is being moved and the move did not "
                            + "finish within " + routing.fenceWait().toMillis() + " ms", e);
                }
                if (current.equals(attempted)) {
                    throw e; // a table or schema that is missing for another reason than a move
                }
                // work reached another shard through names taken from the previous map: its caller must start over.
                throw new ShardUnavailableException(logicalShard, server, "was used with a shard map that has "
                        + "changed since", e);
            }
            if (commitsOnThisThread.get()[0] != commitsBefore) {
                throw new ShardUnavailableException(logicalShard, server, "moved to physical server " + movedTo
                        + "; not run again there because a nested transaction had already committed", e);
            }
            log.debug("logical shard {} of {} moved from physical server {} to {}: running the transaction again",
                      logicalShard, config.database(), server, movedTo);
            try {
                return inShardOn(movedTo, logicalShard, work);
            } catch (RuntimeException again) {
                if (shardMovingState(again) != null) {
                    throw new ShardUnavailableException(logicalShard, movedTo, "is moving again", again);
                }
                throw again;
            }
        }
    }

    /**
     * After a transaction met a moving shard: the current map once the move is recorded. A fenced write waits for the
     * record up to the fence wait; a missing table or schema needs no wait (the old copy is only renamed after the
     * record), so one re-read tells.
     */
    private ShardMap awaitMove(int logicalShard, int server, String state) {
        ShardMap current = refreshMap(System.nanoTime());
        if (!SHARD_MOVING_SQLSTATE.equals(state)) {
            return current;
        }
        final long deadline = System.nanoTime() + routing.fenceWait().toNanos();
        while (current.physicalServerOf(logicalShard) == server && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(FENCE_POLL.toNanos());
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            current = refreshMap(System.nanoTime());
        }
        return current;
    }

    /**
     * The SQLSTATE of the failure when it is what a moving shard causes ({@link #SHARD_MOVING_SQLSTATE}, undefined
     * table, invalid schema), else null. Mappers and JDBC helpers wrap SQLExceptions, so the whole cause chain is
     * searched; a {@link ShardUnavailableException} in it was already handled by a nested transaction.
     */
    static String shardMovingState(Throwable failure) {
        for (Throwable current = failure; current != null; current = current.getCause()) {
            if (current instanceof ShardUnavailableException) {
                return null;
            }
            if (current instanceof SQLException sql) {
                final String state = sql.getSQLState();
                if (SHARD_MOVING_SQLSTATE.equals(state) || UNDEFINED_TABLE.equals(state)
                    || INVALID_SCHEMA_NAME.equals(state)) {
                    return state;
                }
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return null;
    }

    private <T> T inShardOn(int server, int logicalShard, Function<SqlSession, T> work) {
        try (SqlSession session = sessionFactories.get(server).openSession(false)) {
            try (Statement statement = session.getConnection().createStatement()) {
                statement.execute("SET LOCAL search_path TO " + ShardMap.schemaOf(logicalShard));
            } catch (SQLException e) {
                throw new ShardUnavailableException(logicalShard, server, e);
            }
            return commitOrRollBack(session, work);
        }
    }

    /**
     * Runs {@code work} in one transaction on a physical server without choosing a shard; SQL must name schemas
     * itself. For batch reads that cover several logical shards of one server in a single query.
     */
    public <T> T onServer(int physicalServer, Function<SqlSession, T> work) {
        final ShardMap attempted = shardMap;
        try (SqlSession session = sessionFactories.get(physicalServer).openSession(false)) {
            return commitOrRollBack(session, work);
        } catch (RuntimeException e) {
            final String state = shardMovingState(e);
            if (state == null) {
                throw e;
            }
            // The SQL names schemas chosen by the caller from the map it read, so running it again here would fail
            // the same way: re-read the map so that the caller's next attempt (UNAVAILABLE is retried) is right.
            final ShardMap current = refreshMap(System.nanoTime());
            if (SHARD_MOVING_SQLSTATE.equals(state) || !current.equals(attempted)) {
                throw new ShardUnavailableException(physicalServer, "holds a logical shard that is moving", e);
            }
            throw e;
        }
    }

    /**
     * Commits when {@code work} returns and rolls back when it throws, then runs the transaction's {@link AfterCommit}
     * work if it committed. The rollback is forced: MyBatis skips it when
     * only plain JDBC was used on the session, and the pool's reset to auto-commit would then commit the work.
     */
    private static <T> T commitOrRollBack(SqlSession session, Function<SqlSession, T> work) {
        final T result;
        AfterCommit.begin();
        boolean committed = false;
        try {
            try {
                result = work.apply(session);
            } catch (RuntimeException | Error e) {
                try {
                    session.rollback(true);
                } catch (RuntimeException rollbackFailure) {
                    // A connection that failed the work (its server died) fails its rollback too: the work's own
                    // failure is what says why, and how callers must answer (UNAVAILABLE, not INTERNAL).
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
            session.commit(true);
            committed = true;
            commitsOnThisThread.get()[0]++;
        } finally {
            AfterCommit.end(committed);
        }
        return result;
    }

    /**
     * Creates and migrates every logical shard's schema: first {@link #PLATFORM_MIGRATIONS}, then the service's
     * {@code locations} (e.g. {@code classpath:db/media}). Versions below 10 are reserved for the platform; a
     * service's migrations start at {@code V10__}. Physical servers migrate in parallel, shards of one server in
     * order. Flyway records history per schema, so a shard moved to another server keeps its history.
     */
    public void migrate(String... locations) {
        final List<String> allLocations = new ArrayList<>();
        allLocations.add(PLATFORM_MIGRATIONS);
        allLocations.addAll(List.of(locations));
        final ShardMap shardMap = this.shardMap;
        try (var executor = Executors.newFixedThreadPool(shardMap.physicalServers())) {
            final List<Future<?>> servers = new ArrayList<>();
            for (int server = 0; server < shardMap.physicalServers(); server++) {
                final int physical = server;
                servers.add(executor.submit(() -> {
                    for (int shard : shardMap.logicalShardsOn(physical)) {
                        migrateShard(pools.get(physical), shard, allLocations);
                    }
                }));
            }
            for (Future<?> server : servers) {
                server.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while migrating shards", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("migrating shards of " + config.database() + " failed", e.getCause());
        }
        log.info("Migrated {} logical shards of {} on {} physical servers", shardMap.logicalShards(),
                 config.database(), shardMap.physicalServers());
    }

    /** Migrates one logical shard's schema on {@code dataSource} (also what {@link ShardMove} builds a copy with). */
    static void migrateShard(DataSource dataSource, int shard, List<String> locations) {
        final String schema = ShardMap.schemaOf(shard);
        Flyway.configure()
              .dataSource(dataSource)
              .schemas(schema)
              .defaultSchema(schema)
              .createSchemas(true)
              .locations(locations.toArray(String[]::new))
              .placeholders(java.util.Map.of("shard_id", Integer.toString(shard)))
              .load()
              .migrate();
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        pools.forEach(HikariDataSource::close);
    }

    /**
     * The server holding a shard could not be reached or refused the transaction, or the shard is being moved; a
     * retry may succeed (services answer UNAVAILABLE).
     */
    public static final class ShardUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ShardUnavailableException(int logicalShard, int server, Throwable cause) {
            super("logical shard " + logicalShard + " on physical server " + server + " is unavailable", cause);
        }

        ShardUnavailableException(int logicalShard, int server, String reason, Throwable cause) {
            super("logical shard " + logicalShard + " on physical server " + server + " " + reason, cause);
        }

        ShardUnavailableException(int server, String reason, Throwable cause) {
            super("physical server " + server + " " + reason, cause);
        }
    }
}
