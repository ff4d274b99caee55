package io.pinhole.platform.shard;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 */
public final class ShardedDatabase implements AutoCloseable {

    /** Migrations every logical shard gets before the service's own (the ID generator, later the outbox). */
    public static final String PLATFORM_MIGRATIONS = "classpath:db/platform";

    private static final Logger log = LoggerFactory.getLogger(ShardedDatabase.class);

    private final DatabaseConfig config;
    private final List<HikariDataSource> pools;
    private final List<SqlSessionFactory> sessionFactories;

    private ShardedDatabase(DatabaseConfig config, List<HikariDataSource> pools,
                            List<SqlSessionFactory> sessionFactories) {
        this.config = config;
        this.pools = pools;
        this.sessionFactories = sessionFactories;
    }

    /**
     * Opens a pool per physical server. {@code mybatis} registers the service's mappers and type handlers on each
     * server's configuration; {@code meterRegistry} (may be null) receives the pools' metrics and a count of the
     * statements each mapper method sends ({@link StatementMetrics}).
     */
    public static ShardedDatabase open(DatabaseConfig config, Consumer<Configuration> mybatis,
                                       MeterRegistry meterRegistry) {
        requireNonNull(config, "config");
        requireNonNull(mybatis, "mybatis");
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
                if (meterRegistry != null) {
                    configuration.addInterceptor(new StatementMetrics(meterRegistry, server));
                }
                mybatis.accept(configuration);
                factories.add(new SqlSessionFactoryBuilder().build(configuration));
            }
        } catch (RuntimeException e) {
            pools.forEach(HikariDataSource::close);
            throw e;
        }
        return new ShardedDatabase(config, List.copyOf(pools), List.copyOf(factories));
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

    public ShardMap shardMap() {
        return config.shardMap();
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
     */
    public <T> T inShard(int logicalShard, Function<SqlSession, T> work) {
        final int server = config.shardMap().physicalServerOf(logicalShard);
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
        try (SqlSession session = sessionFactories.get(physicalServer).openSession(false)) {
            return commitOrRollBack(session, work);
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
                session.rollback(true);
                throw e;
            }
            session.commit(true);
            committed = true;
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
        final ShardMap shardMap = config.shardMap();
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

    private static void migrateShard(DataSource dataSource, int shard, List<String> locations) {
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
        pools.forEach(HikariDataSource::close);
    }

    /** The server holding a shard could not be reached or refused the transaction. */
    public static final class ShardUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ShardUnavailableException(int logicalShard, int server, Throwable cause) {
            super("logical shard " + logicalShard + " on physical server " + server + " is unavailable", cause);
        }
    }
}
