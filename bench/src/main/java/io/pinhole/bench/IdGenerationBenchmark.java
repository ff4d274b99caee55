package io.pinhole.bench;

import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackConfig;
import io.pinhole.devstack.PostgresServer;
import io.pinhole.platform.shard.DatabaseConfig;
import io.pinhole.platform.shard.ShardMap;
import io.pinhole.platform.shard.ShardedDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Throughput of ID generation in PostgreSQL ({@code next_id()} of one logical shard), measured against a real
 * PostgreSQL 17 from devstack: every thread on the same shard (the contended case: the advisory lock serialises
 * them), every thread on its own shard, and the floor: a bare {@code nextval} round trip on the same connection.
 */
public class IdGenerationBenchmark {

    @State(Scope.Benchmark)
    public static class Database {
        Devstack devstack;
        ShardedDatabase database;
        final AtomicInteger nextShard = new AtomicInteger();

        @Setup(Level.Trial)
        public void start() {
            devstack = Devstack.create(DevstackConfig.forTests());
            final PostgresServer server = devstack.postgres().servers().get(0);
            server.createDatabase("pinhole_bench");
            database = ShardedDatabase.open(new DatabaseConfig(List.of(server.host() + ":" + server.port()),
                    "pinhole_bench", server.user(), server.password(), ShardMap.contiguous(16, 1), 16, 5,
                    Duration.ofSeconds(5)), configuration -> { }, null);
            database.migrate();
            try (Connection connection = database.dataSource(0).getConnection()) {
                connection.createStatement().execute("CREATE SEQUENCE IF NOT EXISTS public.floor_sequence");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @TearDown(Level.Trial)
        public void stop() {
            database.close();
            devstack.close();
        }
    }

    /** One connection per benchmark thread, prepared once. */
    @State(Scope.Thread)
    public static class Session {
        Connection connection;
        PreparedStatement sameShard;
        PreparedStatement ownShard;
        PreparedStatement floor;

        @Setup(Level.Trial)
        public void open(Database database) throws SQLException {
            connection = database.database.dataSource(0).getConnection();
            sameShard = connection.prepareStatement("SELECT shard_0000.next_id()");
            final int own = database.nextShard.getAndIncrement() % 16;
            ownShard = connection.prepareStatement("SELECT " + ShardMap.schemaOf(own) + ".next_id()");
            floor = connection.prepareStatement("SELECT nextval('public.floor_sequence')");
        }

        @TearDown(Level.Trial)
        public void close() throws SQLException {
            connection.close();
        }
    }

    @Benchmark
    public long nextId_allThreadsOneShard(Session session) throws SQLException {
        return take(session.sameShard);
    }

    @Benchmark
    public long nextId_threadPerShard(Session session) throws SQLException {
        return take(session.ownShard);
    }

    /** The floor: a bare sequence round trip on the same connection (Instagram's original cost per ID). */
    @Benchmark
    public long floor_bareNextval(Session session) throws SQLException {
        return take(session.floor);
    }

    private static long take(PreparedStatement statement) throws SQLException {
        try (ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }
}
