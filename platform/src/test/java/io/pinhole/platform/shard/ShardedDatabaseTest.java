package io.pinhole.platform.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.devstack.PostgresServer;
import io.pinhole.platform.id.PinholeIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ibatis.session.SqlSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevstackExtension.class)
class ShardedDatabaseTest {

    private static final int LOGICAL_SHARDS = 16;
    private static ShardedDatabase database;
    private static List<PostgresServer> servers;

    @BeforeAll
    static void migrate(Devstack devstack) {
        servers = devstack.postgres().servers();
        final List<String> addresses = new ArrayList<>();
        for (PostgresServer server : servers) {
            server.createDatabase("pinhole_platform_test");
            addresses.add(server.host() + ":" + server.port());
        }
        final DatabaseConfig config = new DatabaseConfig(addresses, "pinhole_platform_test", servers.get(0).user(),
                servers.get(0).password(), ShardMap.contiguous(LOGICAL_SHARDS, addresses.size()), 10, 5,
                Duration.ofSeconds(5));
        database = ShardedDatabase.open(config, configuration -> { }, null);
        database.migrate("classpath:db/platform-test");
    }

    @AfterAll
    static void close() {
        database.close();
    }

    @Test
    void migrate_createsEveryLogicalShardSchema_onItsPhysicalServer() throws SQLException {
        assertThat(servers).hasSize(2);
        for (int server = 0; server < servers.size(); server++) {
            final List<String> schemas = new ArrayList<>();
            try (Connection connection = database.dataSource(server).getConnection();
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery(
                         "SELECT n.nspname FROM pg_namespace n JOIN pg_proc p ON p.pronamespace = n.oid "
                         + "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = 'items' "
                         + "WHERE p.proname = 'next_id' ORDER BY 1")) {
                while (rows.next()) {
                    schemas.add(rows.getString(1));
                }
            }
            assertThat(schemas).containsExactlyElementsOf(database.shardMap().logicalShardsOn(server).stream()
                    .map(ShardMap::schemaOf).toList());
        }
    }

    @Test
    void workWhoseConnectionDied_failsWithThatDeath_notWithTheRollbackItMakesImpossible() {
        // What kill -9 of a PostgreSQL server did in the fault suite: the work fails on its dead connection, then the
        // rollback fails too ("Connection is closed"); the caller must see the death (57P01 here, a connection loss
        // → UNAVAILABLE) rather than the rollback's failure (→ INTERNAL).
        final Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> database.inShard(0, session -> {
            try (java.sql.Statement statement = session.getConnection().createStatement()) {
                statement.execute("SELECT pg_terminate_backend(pg_backend_pid())");
                return null;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }));
        assertThat(failure).isInstanceOf(IllegalStateException.class).hasCauseInstanceOf(SQLException.class);
        assertThat(((SQLException) failure.getCause()).getSQLState()).isEqualTo("57P01");
        assertThat(failure.getSuppressed()).hasSize(1); // the rollback's own failure, kept for the log
        assertThat(database.<Integer>inShard(0, session -> 1)).isEqualTo(1); // the pool has healthy connections again
    }

    @Test
    void migrate_twice_isANoOp() {
        database.migrate("classpath:db/platform-test");
        final long applied = database.inShard(0, session ->
                scalar(session, "SELECT count(*) FROM flyway_schema_history WHERE success AND type = 'SQL'"));
        assertThat(applied).isEqualTo(4L); // V1_0 IDs, V1_1 outbox, V1_2 processed events, V10 the test table
    }

    @Test
    void inShard_routesEachLogicalShard_toItsPhysicalServer_andSchema() {
        for (int shard = 0; shard < LOGICAL_SHARDS; shard++) {
            final PostgresServer expected = servers.get(database.shardMap().physicalServerOf(shard));
            final String where = database.inShard(shard, session -> text(session,
                    "SELECT current_setting('port') || '/' || current_schema()"));
            assertThat(where).isEqualTo(expected.port() + "/" + ShardMap.schemaOf(shard));
        }
    }

    @Test
    void generatedIds_decodeToTheirShard_andTheTimeOfTheInsert() {
        for (int shard : List.of(0, 7, 8, 15)) {
            final long before = System.currentTimeMillis();
            final long id = database.inShard(shard, session ->
                    scalar(session, "INSERT INTO items (worker) VALUES (0) RETURNING id"));
            final long after = System.currentTimeMillis();
            assertThat(PinholeIds.shard(id)).isEqualTo(shard);
            assertThat(PinholeIds.epochMillis(id)).isBetween(before - 5, after + 5);
        }
    }

    @Test
    void ids_areUniqueAndStrictlyIncreasing_underConcurrentInserts() throws Exception {
        final int shard = 3;
        final int threads = 8;
        final int perThread = 1500;
        // Linearizability check: an ID must exceed every ID whose insert had already returned when it started.
        final AtomicLong highestReturned = new AtomicLong();
        final ConcurrentLinkedQueue<Long> all = new ConcurrentLinkedQueue<>();
        final List<Callable<Integer>> workers = new ArrayList<>();
        for (int worker = 0; worker < threads; worker++) {
            final int workerId = worker;
            workers.add(() -> {
                int violations = 0;
                try (Connection connection = database.dataSource(database.shardMap().physicalServerOf(shard))
                        .getConnection();
                     PreparedStatement insert = connection.prepareStatement(
                             "INSERT INTO " + ShardMap.schemaOf(shard) + ".items (worker) VALUES (?) RETURNING id")) {
                    for (int i = 0; i < perThread; i++) {
                        final long floor = highestReturned.get();
                        insert.setInt(1, workerId);
                        try (ResultSet row = insert.executeQuery()) {
                            row.next();
                            final long id = row.getLong(1);
                            if (id <= floor) {
                                violations++;
                            }
                            all.add(id);
                            highestReturned.accumulateAndGet(id, Math::max);
                        }
                    }
                }
                return violations;
            });
        }
        try (var executor = Executors.newFixedThreadPool(threads)) {
            int violations = 0;
            for (Future<Integer> result : executor.invokeAll(workers)) {
                violations += result.get();
            }
            assertThat(violations).isZero();
        }
        assertThat(new HashSet<>(all)).hasSize(threads * perThread);
        assertThat(all).allSatisfy(id -> assertThat(PinholeIds.shard(id)).isEqualTo(shard));
    }

    @Test
    void moreThan1024IdsInOneMillisecond_borrowTheNextMillisecond_withoutCollision() {
        final int shard = 9;
        // Put the shard's clock in one millisecond ten seconds ahead, 20 short of its 1024 IDs, then take 3000:
        // a burst no machine can make in one real millisecond, replayed deterministically.
        final long aheadMs = System.currentTimeMillis() - PinholeIds.EPOCH_MILLIS + 10_000;
        final List<Long> ids = database.inShard(shard, session -> {
            text(session, "SELECT setval('id_clock', " + (aheadMs * 1024 + 1003) + ", true)::text");
            return longs(session, "SELECT next_id() FROM generate_series(1, 3000) ORDER BY 1");
        });
        assertThat(ids).doesNotHaveDuplicates().hasSize(3000);
        final Set<Long> millis = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            millis.add(PinholeIds.epochMillis(ids.get(i)));
            assertThat(PinholeIds.shard(ids.get(i))).isEqualTo(shard);
        }
        assertThat(PinholeIds.sequence(ids.get(0))).isEqualTo(1004);
        assertThat(PinholeIds.epochMillis(ids.get(0))).isEqualTo(PinholeIds.EPOCH_MILLIS + aheadMs);
        assertThat(PinholeIds.sequence(ids.get(20))).isZero();
        assertThat(PinholeIds.epochMillis(ids.get(20))).isEqualTo(PinholeIds.EPOCH_MILLIS + aheadMs + 1);
        assertThat(millis).hasSize(4); // 20 + 1024 + 1024 + 932
    }

    @Test
    void idsGeneratedInOrder_comeOutSorted() {
        final List<Long> inCallOrder = database.inShard(12, session ->
                longs(session, "SELECT id FROM (SELECT next_id() AS id, n FROM generate_series(1, 2000) n) t ORDER BY n"));
        assertThat(inCallOrder).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void inShard_rollsBack_whenTheWorkThrows_evenAfterPlainJdbcWrites() {
        assertThatThrownBy(() -> database.inShard(4, session -> {
            scalar(session, "INSERT INTO items (worker) VALUES (99) RETURNING id");
            throw new IllegalStateException("the change failed");
        })).hasMessage("the change failed");
        final long kept = database.inShard(4, session -> scalar(session, "SELECT count(*) FROM items WHERE worker = 99"));
        assertThat(kept).isZero();
    }

    @Test
    void afterCommitWork_runsOnlyWhenItsOwnTransactionCommits_evenWhenNested() {
        final List<String> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        database.inShard(0, outer -> {
            AfterCommit.run(() -> ran.add("outer"));
            database.inShard(LOGICAL_SHARDS - 1, inner -> {
                AfterCommit.run(() -> ran.add("inner"));
                return null;
            });
            assertThat(ran).containsExactly("inner"); // the outer transaction is still open
            return null;
        });
        assertThat(ran).containsExactly("inner", "outer");

        assertThatThrownBy(() -> database.inShard(0, session -> {
            AfterCommit.run(() -> ran.add("rolled back"));
            throw new IllegalStateException("fail the transaction");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(ran).containsExactly("inner", "outer");
        AfterCommit.run(() -> ran.add("no transaction"));
        assertThat(ran).containsExactly("inner", "outer", "no transaction");
    }

    @Test
    void rolledBackInsert_neverFreesItsId() {
        final long rolledBack;
        try (SqlSession session = database.sessionFactory(0).openSession(false)) {
            rolledBack = scalar(session, "INSERT INTO shard_0001.items (worker) VALUES (1) RETURNING id");
            session.rollback(true);
        }
        final long next = database.inShard(1, session ->
                scalar(session, "INSERT INTO items (worker) VALUES (1) RETURNING id"));
        assertThat(next).isGreaterThan(rolledBack);
    }

    /** The first column of the first row of {@code sql}, as a number (the shard tests' one-value queries). */
    static long scalar(SqlSession session, String sql) {
        return Long.parseLong(text(session, sql));
    }

    /** The first column of the first row of {@code sql}, as text. */
    static String text(SqlSession session, String sql) {
        try (Statement statement = session.getConnection().createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Long> longs(SqlSession session, String sql) {
        final List<Long> values = new ArrayList<>();
        try (Statement statement = session.getConnection().createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getLong(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return values;
    }
}
