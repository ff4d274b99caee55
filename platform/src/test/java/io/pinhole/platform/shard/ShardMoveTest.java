package io.pinhole.platform.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.devstack.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ibatis.session.SqlSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevstackExtension.class)
class ShardMoveTest {

    private static final String MIGRATIONS = "classpath:db/shard-move-test";
    /** Logical shards 0–1 on physical server 0, 2–3 on server 1. */
    private static final String LAYOUT = "0-1:0,2-3:1";
    /** Only a failure makes these instances re-read the map, so the tests see that path and not the timer. */
    private static final ShardedDatabase.Routing FOLLOW_ON_FAILURE_ONLY =
            new ShardedDatabase.Routing(Duration.ofHours(1), Duration.ofSeconds(8));

    private static List<PostgresServer> servers;

    @BeforeAll
    static void servers(Devstack devstack) {
        servers = devstack.postgres().servers();
        assertThat(servers).hasSize(2);
    }

    @Test
    void move_underConcurrentWrites_keepsEveryAcknowledgedWriteExactlyOnce_andNoReadFails() throws Exception {
        final String name = "pinhole_move_under_load";
        final int moving = 1;
        try (ShardedDatabase writers = open(name, FOLLOW_ON_FAILURE_ONLY);
             ShardedDatabase mover = open(name, ShardedDatabase.Routing.DEFAULT)) {
            writers.migrate(MIGRATIONS);
            final AtomicBoolean stop = new AtomicBoolean();
            final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            final AtomicLong longestWriteNanos = new AtomicLong();
            final AtomicLong longestReadNanos = new AtomicLong();
            final AtomicLong writesAfterMove = new AtomicLong();
            final AtomicBoolean moved = new AtomicBoolean();
            // Per shard: acknowledged row id → acknowledged updates of it.
            final Map<Integer, Map<Long, Integer>> acknowledged = new ConcurrentHashMap<>();
            final List<Ledger> ledgers = new ArrayList<>();
            for (int shard : List.of(moving, moving, moving, 0, 2)) {
                ledgers.add(new Ledger(writers, shard, ledgers.size(), stop, failures, longestWriteNanos,
                        acknowledged.computeIfAbsent(shard, s -> new ConcurrentHashMap<>()), moved,
                        writesAfterMove));
            }
            final ExecutorService threads = Executors.newFixedThreadPool(ledgers.size() + 2);
            try {
                final List<Future<?>> running = new ArrayList<>();
                ledgers.forEach(ledger -> running.add(threads.submit(ledger)));
                for (int reader = 0; reader < 2; reader++) {
                    running.add(threads.submit(() -> read(writers, moving, stop, failures, longestReadNanos)));
                }
                await().atMost(Duration.ofSeconds(30))
                       .until(() -> acknowledged.get(moving).size() >= 200);

                final ShardMove.Report report = ShardMove.move(mover, List.of(MIGRATIONS), moving, 1,
                        ShardMove.Options.DEFAULT.withOldCopy(Duration.ZERO, true)
                                                 .withProgress(line -> System.out.println("shard-move: " + line)));
                moved.set(true);
                await().atMost(Duration.ofSeconds(30)).until(() -> writesAfterMove.get() >= 200);
                stop.set(true);
                for (Future<?> thread : running) {
                    thread.get();
                }

                System.out.printf("shard move under load: copy %d ms, writes fenced %d ms, longest write %d ms, "
                                  + "longest read %d ms, %d rows moved%n", report.copy().toMillis(),
                                  report.fence().toMillis(), longestWriteNanos.get() / 1_000_000,
                                  longestReadNanos.get() / 1_000_000,
                                  report.rowsByTable().get("ledger"));
                assertThat(failures).isEmpty();
                assertThat(report.fromServer()).isZero();
                assertThat(report.toServer()).isEqualTo(1);
                assertThat(writers.shardMap().physicalServerOf(moving)).isEqualTo(1);
                assertThat(mover.shardMap().physicalServerOf(moving)).isEqualTo(1);
                for (Map.Entry<Integer, Map<Long, Integer>> shard : acknowledged.entrySet()) {
                    final int server = shard.getKey() == moving ? 1 : writers.shardMap().physicalServerOf(shard.getKey());
                    assertThat(ledger(servers.get(server), name, ShardMap.schemaOf(shard.getKey())))
                            .as("rows of logical shard %d on physical server %d", shard.getKey(), server)
                            .isEqualTo(shard.getValue());
                }
                final Map<Long, Integer> oldCopy = ledger(servers.get(0), name, report.oldCopySchema());
                final Map<Long, Integer> newCopy = ledger(servers.get(1), name, ShardMap.schemaOf(moving));
                assertThat(newCopy).containsAllEntriesOf(filterUpdatedLater(oldCopy, newCopy));
                assertThat(newCopy.size()).isGreaterThan(oldCopy.size());
                assertThat(lastWrite(servers.get(0), name, report.oldCopySchema()))
                        .as("no write reached the old copy after the fence took hold")
                        .isBefore(report.fenceLockedAt());
                assertThat(longestWriteNanos.get()).isLessThan(Duration.ofSeconds(10).toNanos());
                assertThat(scalar(servers.get(0), name, "SELECT count(*) FROM pg_publication")).isZero();
                assertThat(scalar(servers.get(0), name, "SELECT count(*) FROM pg_replication_slots")).isZero();
                assertThat(scalar(servers.get(1), name, "SELECT count(*) FROM pg_subscription")).isZero();
            } finally {
                stop.set(true);
                threads.shutdownNow();
            }
        }
    }

    @Test
    void staleInstance_followsTheMove_onItsFirstReadAndWrite_andNewInstancesStartWithIt() throws Exception {
        final String name = "pinhole_move_stale_map";
        final int moving = 2;
        try (ShardedDatabase stale = open(name, FOLLOW_ON_FAILURE_ONLY);
             ShardedDatabase timed = open(name, new ShardedDatabase.Routing(Duration.ofMillis(200),
                                                                            Duration.ofSeconds(5)));
             ShardedDatabase mover = open(name, ShardedDatabase.Routing.DEFAULT)) {
            stale.migrate(MIGRATIONS);
            final long id = stale.inShard(moving, session ->
                    ShardedDatabaseTest.scalar(session, "INSERT INTO ledger (writer) VALUES (7) RETURNING id"));

            final ShardMove.Report report = ShardMove.move(mover, List.of(MIGRATIONS), moving, 0,
                    ShardMove.Options.DEFAULT.withOldCopy(Duration.ZERO, false));

            assertThat(report.oldCopySchema()).isNull();
            assertThat(scalar(servers.get(1), name,
                    "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'shard_0002%'")).isZero();
            assertThat(stale.shardMap().physicalServerOf(moving)).as("not re-read yet").isEqualTo(1);
            final String readWhere = stale.inShard(moving, session -> ShardedDatabaseTest.text(session,
                    "SELECT current_setting('port') || '/' || writer FROM ledger WHERE id = " + id));
            assertThat(readWhere).isEqualTo(servers.get(0).port() + "/7");
            assertThat(stale.shardMap().physicalServerOf(moving)).isZero();
            final long written = stale.inShard(moving, session ->
                    ShardedDatabaseTest.scalar(session, "UPDATE ledger SET updates = updates + 1 WHERE id = " + id + " RETURNING updates"));
            assertThat(written).isEqualTo(1);

            await().atMost(Duration.ofSeconds(10)).until(() -> timed.shardMap().physicalServerOf(moving) == 0);
            try (ShardedDatabase fresh = open(name, FOLLOW_ON_FAILURE_ONLY)) {
                assertThat(fresh.shardMap()).isEqualTo(ShardMap.parse("0-2:0,3:1", 2));
                final long nextId = fresh.inShard(moving, session ->
                        ShardedDatabaseTest.scalar(session, "INSERT INTO ledger (writer) VALUES (8) RETURNING id"));
                assertThat(nextId).as("the sequence came along").isGreaterThan(id);
            }
        }
    }

    @Test
    void move_refusesAnUnknownShard_anUnknownServer_andTheShardsOwnServer() {
        final ShardMap map = ShardMap.parse(LAYOUT, 2);
        assertThatThrownBy(() -> ShardMove.validate(map, "pinhole_media", 4, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no logical shard 4: pinhole_media has logical shards 0–3");
        assertThatThrownBy(() -> ShardMove.validate(map, "pinhole_media", 1, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no physical server 2: PINHOLE_DB_SERVERS names 2 (0–1)");
        assertThatThrownBy(() -> ShardMove.validate(map, "pinhole_media", 3, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("logical shard 3 of pinhole_media is already on physical server 1");
        assertThatThrownBy(() -> ShardMove.Command.parse("five", "1"))
                .hasMessage("logical shard must be a number, was 'five'");
        assertThatThrownBy(() -> ShardMove.Command.parse("5"))
                .hasMessage("expected a logical shard and a physical server, got [5]");
        assertThat(ShardMove.Command.parse("5", "1", "--database", "pinhole_media").databases())
                .isEqualTo(Map.of("pinhole_media", List.of("classpath:db/media")));
        assertThat(ShardMove.Command.parse("5", "1").databases().keySet())
                .containsExactlyElementsOf(ShardMove.SERVICE_DATABASES);
    }

    @Test
    void move_whoseCopyCannotBeBuilt_putsEverythingBack_andTheShardKeepsTakingWrites() throws Exception {
        final String name = "pinhole_move_refused";
        try (ShardedDatabase database = open(name, FOLLOW_ON_FAILURE_ONLY)) {
            database.migrate(MIGRATIONS);
            // The platform's test migrations build `items`, not `ledger`: not the shard's schema.
            assertThatThrownBy(() -> ShardMove.move(database, List.of("classpath:db/platform-test"), 0, 1,
                    ShardMove.Options.DEFAULT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("build shard_0000 differently")
                    .hasMessageContaining("only on the old copy [ledger.id bigint");
            assertThat(scalar(servers.get(1), name,
                    "SELECT count(*) FROM pg_namespace WHERE nspname = 'shard_0000'")).isZero();
            assertThat(scalar(servers.get(0), name, "SELECT count(*) FROM pg_publication")).isZero();
            assertThat(database.shardMap().physicalServerOf(0)).isZero();
            database.inShard(0, session -> ShardedDatabaseTest.scalar(session, "INSERT INTO ledger (writer) VALUES (1) RETURNING id"));

            try (Connection target = servers.get(1).connect(name); Statement statement = target.createStatement()) {
                statement.execute("CREATE SCHEMA shard_0001");
            }
            assertThatThrownBy(() -> ShardMove.move(database, List.of(MIGRATIONS), 1, 1, ShardMove.Options.DEFAULT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("physical server 1 already has a schema shard_0001 in " + name);
            assertThat(scalar(servers.get(1), name,
                    "SELECT count(*) FROM pg_namespace WHERE nspname = 'shard_0001'")).as("not ours to drop")
                    .isEqualTo(1);
        }
    }

    // --- fixtures ------------------------------------------------------------------------------------------------

    private static ShardedDatabase open(String name, ShardedDatabase.Routing routing) {
        final List<String> addresses = new ArrayList<>();
        for (PostgresServer server : servers) {
            server.createDatabase(name);
            addresses.add(server.address());
        }
        final DatabaseConfig config = new DatabaseConfig(addresses, name, servers.get(0).user(),
                servers.get(0).password(), ShardMap.parse(LAYOUT, 2), 12, 5, Duration.ofSeconds(5));
        return ShardedDatabase.open(config, configuration -> { }, null, routing);
    }

    /** Inserts rows into one shard and updates its own earlier rows, until stopped; records what was acknowledged. */
    private record Ledger(ShardedDatabase database, int shard, int writer, AtomicBoolean stop,
                          ConcurrentLinkedQueue<String> failures, AtomicLong longestWriteNanos,
                          Map<Long, Integer> acknowledged, AtomicBoolean moved, AtomicLong writesAfterMove)
            implements Runnable {

        @Override
        public void run() {
            final List<Long> mine = new ArrayList<>();
            while (!stop.get()) {
                final boolean insert = mine.isEmpty() || ThreadLocalRandom.current().nextBoolean();
                final boolean afterMove = moved.get();
                final long started = System.nanoTime();
                try {
                    if (insert) {
                        final long id = database.inShard(shard, session -> ShardedDatabaseTest.scalar(session,
                                "INSERT INTO ledger (writer) VALUES (" + writer + ") RETURNING id"));
                        acknowledged.put(id, 0);
                        mine.add(id);
                    } else {
                        final long id = mine.get(ThreadLocalRandom.current().nextInt(mine.size()));
                        database.inShard(shard, session -> ShardedDatabaseTest.scalar(session, "UPDATE ledger SET updates = updates + 1, "
                                + "written_at = clock_timestamp() WHERE id = " + id + " RETURNING updates"));
                        acknowledged.merge(id, 1, Integer::sum);
                    }
                    if (afterMove && shard == 1) {
                        writesAfterMove.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    failures.add("write to shard " + shard + ": " + e);
                } finally {
                    longestWriteNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
                }
            }
        }
    }

    private static void read(ShardedDatabase database, int shard, AtomicBoolean stop,
                             ConcurrentLinkedQueue<String> failures, AtomicLong longestReadNanos) {
        while (!stop.get()) {
            final long started = System.nanoTime();
            try {
                database.inShard(shard, session -> ShardedDatabaseTest.scalar(session, "SELECT count(*) FROM ledger"));
            } catch (RuntimeException e) {
                failures.add("read of shard " + shard + ": " + e);
            } finally {
                longestReadNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
            }
        }
    }

    /** Rows of the old copy whose update count the new copy may since have raised are compared by presence only. */
    private static Map<Long, Integer> filterUpdatedLater(Map<Long, Integer> oldCopy, Map<Long, Integer> newCopy) {
        final Map<Long, Integer> unchanged = new HashMap<>();
        oldCopy.forEach((id, updates) -> {
            assertThat(newCopy).containsKey(id);
            assertThat(newCopy.get(id)).isGreaterThanOrEqualTo(updates);
            if (newCopy.get(id).equals(updates)) {
                unchanged.put(id, updates);
            }
        });
        return unchanged;
    }

    private static Map<Long, Integer> ledger(PostgresServer server, String database, String schema)
            throws SQLException {
        final Map<Long, Integer> rows = new HashMap<>();
        try (Connection connection = server.connect(database);
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT id, updates FROM " + schema + ".ledger")) {
            while (result.next()) {
                rows.put(result.getLong(1), result.getInt(2));
            }
        }
        return rows;
    }

    private static java.time.Instant lastWrite(PostgresServer server, String database, String schema)
            throws SQLException {
        try (Connection connection = server.connect(database);
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT max(written_at) FROM " + schema + ".ledger");
             ResultSet row = statement.executeQuery()) {
            row.next();
            final Timestamp last = row.getTimestamp(1);
            return last.toInstant();
        }
    }

    private static long scalar(PostgresServer server, String database, String sql) throws SQLException {
        try (Connection connection = server.connect(database);
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getLong(1);
        }
    }
}
