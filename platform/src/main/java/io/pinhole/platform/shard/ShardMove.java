package io.pinhole.platform.shard;

import static java.util.Objects.requireNonNull;

import io.pinhole.platform.config.Env;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Moves one logical shard of one service database to another physical server while the service runs (ADR 0009):
 * copy with logical replication, catch up, fence writes on the old copy for a moment, wait for the last changes, copy
 * the sequences, record the move (services follow it), rename the old copy away, verify row counts and checksums
 * against a snapshot of the new copy taken inside the fence, and drop the old copy after a grace period.
 *
 * <p>Run as a command ({@link #main}; {@code ./pinhole shard-move}) or from code ({@link #move}). The servers must be
 * reached directly (not through pgbouncer: a subscription needs a replication connection) and run with
 * {@code wal_level=logical}.
 */
public final class ShardMove {

    /** The fence trigger's function, created in the moving schema on the old server only. */
    private static final String FENCE_FUNCTION = "pinhole_shard_fence";
    /** next_id()'s advisory lock namespace (db/platform V1_0): held while an ID is taken. */
    private static final int ID_LOCK_NAMESPACE = 20553;
    private static final String LOCK_NOT_AVAILABLE = "55P03";
    private static final String DEADLOCK_DETECTED = "40P01";
    private static final Duration POLL = Duration.ofMillis(20);
    private static final DateTimeFormatter OLD_COPY_SUFFIX =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    /**
     * Limits and choices of a move.
     *
     * @param copyTimeout     how long the initial copy may take before the move is abandoned (proportional to size)
     * @param catchUpTimeout  how long the new copy may take to apply the last changes, before and inside the fence;
     *                        inside the fence it is milliseconds unless the new server is overloaded
     * @param lockTimeout     how long the fence waits for the shard's tables' write lock per attempt (in-flight
     *                        writes finish first; readers are not blocked); a few attempts are made
     * @param oldCopyGrace    how long the renamed old copy is kept before it is dropped
     * @param keepOldCopy     keep the renamed old copy (the operator drops it later)
     * @param progress        receives one line per step
     */
    public record Options(Duration copyTimeout, Duration catchUpTimeout, Duration lockTimeout, Duration oldCopyGrace,
                          boolean keepOldCopy, Consumer<String> progress) {

        public static final Options DEFAULT = new Options(Duration.ofHours(2), Duration.ofSeconds(30),
                Duration.ofSeconds(2), Duration.ofSeconds(60), false, line -> { });

        public Options {
            requireNonNull(copyTimeout, "copyTimeout");
            requireNonNull(catchUpTimeout, "catchUpTimeout");
            requireNonNull(lockTimeout, "lockTimeout");
            requireNonNull(oldCopyGrace, "oldCopyGrace");
            requireNonNull(progress, "progress");
        }

        public Options withOldCopy(Duration grace, boolean keep) {
            return new Options(copyTimeout, catchUpTimeout, lockTimeout, grace, keep, progress);
        }

        public Options withProgress(Consumer<String> lines) {
            return new Options(copyTimeout, catchUpTimeout, lockTimeout, oldCopyGrace, keepOldCopy, lines);
        }
    }

    /**
     * What a move did.
     *
     * @param fenceLockedAt   the moment the old copy stopped taking writes (the source server's clock)
     * @param fence           from the fence taking hold to the move being recorded: how long writes to the shard waited
     * @param rowsByTable     the rows of each table, equal on both copies when verified
     * @param oldCopySchema   the renamed old copy on the old server, or null once it was dropped
     */
    public record Report(String database, int logicalShard, int fromServer, int toServer, Duration copy,
                         Instant fenceLockedAt, Duration fence, Duration total, Map<String, Long> rowsByTable,
                         String oldCopySchema) {}

    /** The new copy does not hold what the fenced old copy holds; the move is recorded, the old copy is kept. */
    public static final class VerificationException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        VerificationException(String message) {
            super(message);
        }
    }

    private final ShardedDatabase database;
    private final List<String> migrationLocations;
    private final int logicalShard;
    private final int toServer;
    private final int fromServer;
    private final Options options;
    private final String schema;
    private final String replicationName;

    private ShardMove(ShardedDatabase database, List<String> migrationLocations, int logicalShard, int toServer,
                      Options options) {
        this.database = database;
        this.migrationLocations = migrationLocations;
        this.logicalShard = logicalShard;
        this.toServer = toServer;
        this.fromServer = database.shardMap().physicalServerOf(logicalShard);
        this.options = options;
        this.schema = ShardMap.schemaOf(logicalShard);
        this.replicationName = replicationName(database.config().database(), logicalShard);
    }

    /**
     * Moves {@code logicalShard} of {@code database} to physical server {@code toServer}.
     *
     * @param migrationLocations the service's Flyway locations (e.g. {@code classpath:db/media}), which build the
     *                           shard's tables on the new server; the platform's come first by themselves
     * @throws IllegalArgumentException for an unknown shard or server, or a shard already on {@code toServer}
     * @throws IllegalStateException    when the move cannot start or is abandoned (everything is put back as it was)
     * @throws VerificationException    when the copies differ after the move was recorded
     */
    public static Report move(ShardedDatabase database, List<String> migrationLocations, int logicalShard,
                              int toServer, Options options) {
        requireNonNull(database, "database");
        requireNonNull(migrationLocations, "migrationLocations");
        requireNonNull(options, "options");
        validate(database.shardMap(), database.config().database(), logicalShard, toServer);
        return new ShardMove(database, List.copyOf(migrationLocations), logicalShard, toServer, options).run();
    }

    /** Refuses a move that names an unknown shard or server, or moves a shard to where it already is. */
    static void validate(ShardMap map, String database, int logicalShard, int toServer) {
        if (logicalShard < 0 || logicalShard >= map.logicalShards()) {
            throw new IllegalArgumentException("no logical shard " + logicalShard + ": " + database
                    + " has logical shards 0–" + (map.logicalShards() - 1));
        }
        if (toServer < 0 || toServer >= map.physicalServers()) {
            throw new IllegalArgumentException("no physical server " + toServer + ": PINHOLE_DB_SERVERS names "
                    + map.physicalServers() + " (0–" + (map.physicalServers() - 1) + ")");
        }
        if (map.physicalServerOf(logicalShard) == toServer) {
            throw new IllegalArgumentException("logical shard " + logicalShard + " of " + database
                    + " is already on physical server " + toServer);
        }
    }

    static String replicationName(String database, int logicalShard) {
        final String name = ("pinhole_move_" + database + "_" + logicalShard).toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        return name.length() <= 63 ? name : name.substring(name.length() - 63);
    }

    // --- the move ------------------------------------------------------------------------------------------------

    private boolean targetSchemaCreated;
    private boolean publicationCreated;
    private boolean subscriptionCreated;
    private boolean fenced;
    private String nextIdDefinition;

    private Report run() {
        final long started = System.nanoTime();
        final String db = database.config().database();
        say("moving logical shard %d of %s from physical server %d to %d", logicalShard, db, fromServer, toServer);
        final List<String> tables;
        final Instant fenceLockedAt;
        final long copied;
        final long fenceStarted;
        final long switched;
        final Connection snapshot;
        try {
            tables = checkPreconditions();
            copyToTarget(tables);
            copied = System.nanoTime();
            say("copied and caught up in %d ms; fencing writes on physical server %d", millis(copied - started),
                fromServer);
            fenceLockedAt = fence(tables);
            fenceStarted = System.nanoTime();
            awaitCatchUp(currentLsn(fromServer), "the last changes before the fence");
            copySequences();
            execute(toServer, "DROP SUBSCRIPTION " + replicationName);
            subscriptionCreated = false;
            snapshot = snapshotOfTarget();
            try {
                recordMove();
            } catch (SQLException | RuntimeException e) {
                snapshot.close();
                throw e;
            }
            switched = System.nanoTime();
        } catch (RuntimeException | SQLException e) {
            final IllegalStateException failure = e instanceof IllegalStateException ise ? ise
                    : new IllegalStateException("moving logical shard " + logicalShard + " of " + db + " failed: "
                                                + e.getMessage(), e);
            putBack(failure);
            throw failure;
        }
        say("recorded: logical shard %d of %s is on physical server %d (writes waited %d ms)", logicalShard, db,
            toServer, millis(switched - fenceStarted));
        final String oldCopy = schema + "_moved_" + OLD_COPY_SUFFIX.format(Instant.now());
        final Map<String, Long> rows;
        try (snapshot) {
            // Stale readers (instances that have not re-read the map yet) now fail on the old server and follow.
            execute(fromServer, "DROP PUBLICATION IF EXISTS " + replicationName);
            execute(fromServer, "ALTER SCHEMA " + schema + " RENAME TO " + oldCopy);
            rows = verify(tables, oldCopy, snapshot);
        } catch (SQLException e) {
            throw new IllegalStateException("logical shard " + logicalShard + " of " + db + " is recorded on "
                    + "physical server " + toServer + ", but finishing the move failed (old copy on server "
                    + fromServer + ": schema " + schema + " or " + oldCopy + "): " + e.getMessage(), e);
        }
        say("verified %d tables, %d rows: equal on both servers", rows.size(),
            rows.values().stream().mapToLong(Long::longValue).sum());
        String keptCopy = oldCopy;
        if (!options.keepOldCopy()) {
            if (!options.oldCopyGrace().isZero()) {
                say("dropping the old copy %s on physical server %d in %d s", oldCopy, fromServer,
                    options.oldCopyGrace().toSeconds());
                sleep(options.oldCopyGrace());
            }
            try {
                execute(fromServer, "DROP SCHEMA " + oldCopy + " CASCADE");
                keptCopy = null;
                say("dropped the old copy");
            } catch (SQLException e) {
                say("could not drop the old copy %s on physical server %d (drop it by hand): %s", oldCopy,
                    fromServer, e.getMessage());
            }
        } else {
            say("kept the old copy as %s on physical server %d (DROP SCHEMA %s CASCADE when no longer wanted)",
                oldCopy, fromServer, oldCopy);
        }
        return new Report(db, logicalShard, fromServer, toServer, Duration.ofNanos(copied - started), fenceLockedAt,
                          Duration.ofNanos(switched - fenceStarted), Duration.ofNanos(System.nanoTime() - started),
                          rows, keptCopy);
    }

    /** The shard's tables on the old server, once everything a move needs is known to be there. */
    private List<String> checkPreconditions() throws SQLException {
        final String db = database.config().database();
        for (int server = 0; server < database.shardMap().physicalServers(); server++) {
            try (Connection connection = database.dataSource(server).getConnection()) {
                ShardMoveRecords.ensureTable(connection);
            } catch (SQLException e) {
                throw new IllegalStateException("physical server " + server + " cannot be reached (" + e.getMessage()
                        + "): a move records itself on every server, so all must be up", e);
            }
        }
        try (Connection source = database.dataSource(fromServer).getConnection();
             Connection target = database.dataSource(toServer).getConnection()) {
            if (!schemaExists(source, schema)) {
                throw new IllegalStateException("physical server " + fromServer + " has no schema " + schema + " in "
                        + db + ", though the shard map places logical shard " + logicalShard + " there");
            }
            if (schemaExists(target, schema)) {
                throw new IllegalStateException("physical server " + toServer + " already has a schema " + schema
                        + " in " + db + " (left by an interrupted move?): make sure it holds nothing needed, drop it "
                        + "there (DROP SCHEMA " + schema + " CASCADE) and run the move again");
            }
            final String walLevel = text(source, "SHOW wal_level");
            if (!"logical".equals(walLevel)) {
                throw new IllegalStateException("physical server " + fromServer + " runs with wal_level=" + walLevel
                        + "; a move copies with logical replication, which needs wal_level=logical (a restart)");
            }
            if (exists(source, "SELECT 1 FROM pg_publication WHERE pubname = ?", replicationName)
                || exists(target, "SELECT 1 FROM pg_subscription WHERE subname = ?", replicationName)
                || exists(source, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", replicationName)) {
                throw new IllegalStateException("a publication, subscription or replication slot named "
                        + replicationName + " exists (left by an interrupted move?): drop the subscription on "
                        + "server " + toServer + ", the publication and slot on server " + fromServer
                        + ", then run the move again");
            }
            final List<String> withoutIdentity = strings(source,
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE n.nspname = ? AND c.relkind = 'r' AND (c.relreplident = 'n' OR c.relreplident = 'd' "
                    + "AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)) "
                    + "ORDER BY 1", schema);
            if (!withoutIdentity.isEmpty()) {
                throw new IllegalStateException("tables of " + schema + " without a primary key or replica identity "
                        + "cannot be moved (their updates and deletes could not be replicated): " + withoutIdentity);
            }
            return tablesOf(source, schema);
        }
    }

    /** Builds the schema on the new server, checks it matches, subscribes and waits until it has caught up. */
    private void copyToTarget(List<String> tables) throws SQLException {
        final List<String> locations = new ArrayList<>();
        locations.add(ShardedDatabase.PLATFORM_MIGRATIONS);
        locations.addAll(migrationLocations);
        targetSchemaCreated = true;
        ShardedDatabase.migrateShard(database.dataSource(toServer), logicalShard, locations);
        try (Connection source = database.dataSource(fromServer).getConnection();
             Connection target = database.dataSource(toServer).getConnection()) {
            final List<String> sourceColumns = columnsOf(source, schema);
            final List<String> targetColumns = columnsOf(target, schema);
            if (!sourceColumns.equals(targetColumns)) {
                final List<String> onlySource = new ArrayList<>(sourceColumns);
                onlySource.removeAll(targetColumns);
                final List<String> onlyTarget = new ArrayList<>(targetColumns);
                onlyTarget.removeAll(sourceColumns);
                throw new IllegalStateException("the migrations " + locations + " build " + schema + " differently "
                        + "from the copy on physical server " + fromServer + " (a service version with other "
                        + "migrations?): only on the old copy " + onlySource + ", only on the new " + onlyTarget);
            }
            // The migrations may have inserted rows (the Flyway history at least): the subscription brings them all.
            try (Statement truncate = target.createStatement()) {
                truncate.execute("TRUNCATE " + qualifiedList(tables));
            }
        }
        execute(fromServer, "CREATE PUBLICATION " + replicationName + " FOR TABLES IN SCHEMA " + schema);
        publicationCreated = true;
        execute(toServer, "CREATE SUBSCRIPTION " + replicationName + " CONNECTION " + literal(sourceConnInfo())
                + " PUBLICATION " + replicationName + " WITH (copy_data = true, slot_name = "
                + literal(replicationName) + ")");
        subscriptionCreated = true;
        say("copying %d tables to physical server %d", tables.size(), toServer);
        final long deadline = System.nanoTime() + options.copyTimeout().toNanos();
        try (Connection target = database.dataSource(toServer).getConnection();
             PreparedStatement pending = target.prepareStatement(
                     "SELECT count(*) FILTER (WHERE r.srsubstate <> 'r'), count(*) FROM pg_subscription_rel r "
                     + "JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = ?")) {
            pending.setString(1, replicationName);
            while (true) {
                try (ResultSet row = pending.executeQuery()) {
                    row.next();
                    if (row.getLong(1) == 0 && row.getLong(2) == tables.size()) {
                        break;
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the initial copy of " + schema + " did not finish within "
                            + options.copyTimeout() + subscriptionErrors(target));
                }
                sleep(POLL);
            }
        }
        awaitCatchUp(currentLsn(fromServer), "the changes made during the copy");
    }

    /** Waits until the new server has applied everything the old one wrote up to {@code lsn}. */
    private void awaitCatchUp(String lsn, String what) throws SQLException {
        final long deadline = System.nanoTime() + options.catchUpTimeout().toNanos();
        try (Connection source = database.dataSource(fromServer).getConnection();
             PreparedStatement applied = source.prepareStatement(
                     "SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            applied.setString(1, lsn);
            applied.setString(2, replicationName);
            while (true) {
                try (ResultSet row = applied.executeQuery()) {
                    if (row.next() && row.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    try (Connection target = database.dataSource(toServer).getConnection()) {
                        throw new IllegalStateException("physical server " + toServer + " did not apply " + what
                                + " (up to " + lsn + ") within " + options.catchUpTimeout()
                                + subscriptionErrors(target));
                    }
                }
                sleep(POLL);
            }
        }
    }

    /**
     * Stops writes to the old copy: every write statement on the shard's tables, and next_id() (an ID taken there and
     * used on the new server could repeat one the new server hands out), raise {@link
     * ShardedDatabase#SHARD_MOVING_SQLSTATE}. Readers are not blocked: SHARE ROW EXCLUSIVE conflicts with writers
     * only. Returns the moment the lock was held (no write to the old copy can be later).
     */
    private Instant fence(List<String> tables) throws SQLException {
        final int attempts = 5;
        for (int attempt = 1; ; attempt++) {
            try (Connection source = database.dataSource(fromServer).getConnection()) {
                source.setAutoCommit(false);
                try (Statement statement = source.createStatement()) {
                    statement.execute("SET LOCAL lock_timeout = " + options.lockTimeout().toMillis());
                    statement.execute("LOCK TABLE " + qualifiedList(tables) + " IN SHARE ROW EXCLUSIVE MODE");
                    final Instant lockedAt;
                    try (ResultSet row = statement.executeQuery("SELECT clock_timestamp()")) {
                        row.next();
                        lockedAt = row.getTimestamp(1).toInstant();
                    }
                    final String raise = "RAISE EXCEPTION USING ERRCODE = '" + ShardedDatabase.SHARD_MOVING_SQLSTATE
                            + "', MESSAGE = 'logical shard " + logicalShard + " is moving to another physical "
                            + "server'";
                    statement.execute("CREATE FUNCTION " + schema + "." + FENCE_FUNCTION + "() RETURNS trigger "
                            + "LANGUAGE plpgsql AS $fence$ BEGIN " + raise + "; END $fence$");
                    for (String table : tables) {
                        statement.execute("CREATE TRIGGER " + FENCE_FUNCTION + " BEFORE INSERT OR UPDATE OR DELETE "
                                + "OR TRUNCATE ON " + qualified(table) + " FOR EACH STATEMENT EXECUTE FUNCTION "
                                + schema + "." + FENCE_FUNCTION + "()");
                    }
                    final String definition = nextIdDefinition(statement);
                    if (definition != null) {
                        statement.execute("CREATE OR REPLACE FUNCTION " + schema + ".next_id() RETURNS bigint "
                                + "LANGUAGE plpgsql VOLATILE AS $fence$ BEGIN " + raise + "; END $fence$");
                    }
                    // Waits for an ID being taken right now: its setval lands before the sequences are copied.
                    statement.execute("SELECT pg_advisory_xact_lock(" + ID_LOCK_NAMESPACE + ", " + logicalShard + ")");
                    source.commit();
                    nextIdDefinition = definition;
                    fenced = true;
                    return lockedAt;
                } catch (SQLException e) {
                    source.rollback();
                    final boolean contended = LOCK_NOT_AVAILABLE.equals(e.getSQLState())
                                              || DEADLOCK_DETECTED.equals(e.getSQLState());
                    if (!contended || attempt == attempts) {
                        throw e;
                    }
                    say("the fence did not get the write lock within %d ms (long writes in flight); trying again",
                        options.lockTimeout().toMillis());
                } finally {
                    source.setAutoCommit(true);
                }
            }
        }
    }

    private String nextIdDefinition(Statement statement) throws SQLException {
        try (ResultSet row = statement.executeQuery("SELECT pg_get_functiondef(p.oid) FROM pg_proc p "
                + "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '" + schema + "' "
                + "AND p.proname = 'next_id' AND p.pronargs = 0")) {
            return row.next() ? row.getString(1) : null;
        }
    }

    /** Logical replication does not carry sequences: set each on the new copy to where the fenced old one stopped. */
    private void copySequences() throws SQLException {
        final Map<String, long[]> values = new LinkedHashMap<>();
        try (Connection source = database.dataSource(fromServer).getConnection()) {
            source.setAutoCommit(false);
            try (Statement statement = source.createStatement()) {
                statement.execute("SELECT pg_advisory_xact_lock(" + ID_LOCK_NAMESPACE + ", " + logicalShard + ")");
                for (String sequence : strings(source, "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
                        + "ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind = 'S' ORDER BY 1", schema)) {
                    try (ResultSet row = statement.executeQuery(
                            "SELECT last_value, is_called FROM " + qualified(sequence))) {
                        row.next();
                        values.put(sequence, new long[] {row.getLong(1), row.getBoolean(2) ? 1 : 0});
                    }
                }
                source.commit();
            } finally {
                source.setAutoCommit(true);
            }
        }
        try (Connection target = database.dataSource(toServer).getConnection();
             PreparedStatement setval = target.prepareStatement("SELECT setval(?::regclass, ?, ?)")) {
            for (Map.Entry<String, long[]> sequence : values.entrySet()) {
                setval.setString(1, qualified(sequence.getKey()));
                setval.setLong(2, sequence.getValue()[0]);
                setval.setBoolean(3, sequence.getValue()[1] == 1);
                setval.executeQuery().close();
            }
        }
    }

    /**
     * A transaction on the new server whose snapshot is the copy as the fence left it: verification reads it after the
     * move is recorded, while the new copy already takes writes.
     */
    private Connection snapshotOfTarget() throws SQLException {
        final Connection target = database.dataSource(toServer).getConnection();
        try {
            target.setAutoCommit(false);
            target.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement statement = target.createStatement()) {
                setStableTextOutput(statement);
                statement.executeQuery("SELECT count(*) FROM " + qualified(tablesOf(target, schema).get(0))).close();
            }
            return target;
        } catch (SQLException | RuntimeException e) {
            target.close();
            throw e;
        }
    }

    /**
     * Records the move on every server, the new one first: once any holds it, services re-reading the map follow.
     * Throws only when the new server's record failed, so that nothing is recorded anywhere.
     */
    private void recordMove() throws SQLException {
        final int servers = database.shardMap().physicalServers();
        long version = 0;
        for (int server = 0; server < servers; server++) {
            try (Connection connection = database.dataSource(server).getConnection()) {
                final ShardMoveRecords.Placement placement = ShardMoveRecords.read(connection).get(logicalShard);
                if (placement != null) {
                    version = Math.max(version, placement.version());
                }
            }
        }
        final List<Integer> order = new ArrayList<>();
        order.add(toServer);
        for (int server = 0; server < servers; server++) {
            if (server != toServer) {
                order.add(server);
            }
        }
        final List<String> failures = new ArrayList<>();
        for (int server : order) {
            try (Connection connection = database.dataSource(server).getConnection()) {
                ShardMoveRecords.record(connection, logicalShard, toServer, version + 1);
            } catch (SQLException e) {
                if (server == toServer) {
                    throw e;
                }
                failures.add("server " + server + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            say("WARNING: the move is recorded on physical server %d but not on %s; services read the newest record "
                + "of the servers they reach, so record it there when they are back (see docs/operations.md)",
                toServer, failures);
        }
        database.refreshMap(System.nanoTime());
    }

    /** Row counts and checksums of every table: the renamed old copy against the new copy's snapshot. */
    private Map<String, Long> verify(List<String> tables, String oldCopy, Connection snapshot) throws SQLException {
        final Map<String, Long> rows = new LinkedHashMap<>();
        final List<String> differences = new ArrayList<>();
        try (Connection source = database.dataSource(fromServer).getConnection()) {
            source.setAutoCommit(false);
            try (Statement old = source.createStatement(); Statement copy = snapshot.createStatement()) {
                setStableTextOutput(old);
                for (String table : tables) {
                    final long[] before = countAndChecksum(old, oldCopy, table);
                    final long[] after = countAndChecksum(copy, schema, table);
                    rows.put(table, after[0]);
                    if (before[0] != after[0] || before[1] != after[1]) {
                        differences.add(table + ": " + before[0] + " rows (checksum " + before[1] + ") on server "
                                + fromServer + ", " + after[0] + " rows (checksum " + after[1] + ") on server "
                                + toServer);
                    }
                }
            } finally {
                source.rollback();
                source.setAutoCommit(true);
            }
        }
        snapshot.rollback();
        if (!differences.isEmpty()) {
            throw new VerificationException("logical shard " + logicalShard + " of " + database.config().database()
                    + " is recorded on physical server " + toServer + " but its copies differ; the old copy is kept "
                    + "as " + oldCopy + " on server " + fromServer + ": " + differences);
        }
        return rows;
    }

    private static long[] countAndChecksum(Statement statement, String schemaName, String table) throws SQLException {
        // An order-independent sum of 64 bits of each row's MD5: equal contents give equal sums on any server.
        try (ResultSet row = statement.executeQuery("SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, "
                + "16))::bit(64)::bigint), 0)::text FROM " + quote(schemaName) + "." + quote(table) + " t")) {
            row.next();
            return new long[] {row.getLong(1), new java.math.BigInteger(row.getString(2)).longValue()};
        }
    }

    /** Row text depends on session settings (time zone, float digits): the same on both sides. */
    private static void setStableTextOutput(Statement statement) throws SQLException {
        statement.execute("SET LOCAL TimeZone = 'UTC'");
        statement.execute("SET LOCAL DateStyle = 'ISO, MDY'");
        statement.execute("SET LOCAL IntervalStyle = 'postgres'");
        statement.execute("SET LOCAL extra_float_digits = 1");
        statement.execute("SET LOCAL bytea_output = 'hex'");
    }

    /** Undoes a move that did not reach its record: the old copy takes writes again, the partial new one is dropped. */
    private void putBack(Exception failure) {
        final List<Runnable> steps = new ArrayList<>();
        if (subscriptionCreated) {
            steps.add(quietly("drop the subscription", () -> execute(toServer,
                    "DROP SUBSCRIPTION IF EXISTS " + replicationName)));
        }
        if (publicationCreated) {
            steps.add(quietly("drop the publication", () -> execute(fromServer,
                    "DROP PUBLICATION IF EXISTS " + replicationName)));
        }
        if (fenced) {
            steps.add(quietly("lift the fence", this::liftFence));
        }
        if (targetSchemaCreated) {
            steps.add(quietly("drop the partial copy", () -> execute(toServer,
                    "DROP SCHEMA IF EXISTS " + schema + " CASCADE")));
        }
        say("the move failed (%s); putting everything back", failure.getMessage());
        steps.forEach(Runnable::run);
    }

    private void liftFence() throws SQLException {
        try (Connection source = database.dataSource(fromServer).getConnection()) {
            source.setAutoCommit(false);
            try (Statement statement = source.createStatement()) {
                if (nextIdDefinition != null) {
                    statement.execute(nextIdDefinition);
                }
                statement.execute("DROP FUNCTION IF EXISTS " + schema + "." + FENCE_FUNCTION + "() CASCADE");
                source.commit();
            } finally {
                source.setAutoCommit(true);
            }
        }
    }

    private interface SqlStep {
        void run() throws SQLException;
    }

    private Runnable quietly(String what, SqlStep step) {
        return () -> {
            try {
                step.run();
            } catch (SQLException | RuntimeException e) {
                say("could not %s: %s (do it by hand)", what, e.getMessage());
            }
        };
    }

    // --- SQL helpers ---------------------------------------------------------------------------------------------

    private String sourceConnInfo() {
        final DatabaseConfig config = database.config();
        final String address = config.servers().get(fromServer);
        final int colon = address.lastIndexOf(':');
        final String host = colon < 0 ? address : address.substring(0, colon);
        final String port = colon < 0 ? "5432" : address.substring(colon + 1);
        return "host=" + connValue(host) + " port=" + connValue(port) + " dbname=" + connValue(config.database())
               + " user=" + connValue(config.user()) + " password=" + connValue(config.password());
    }

    private static String connValue(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private String qualified(String name) {
        return schema + "." + quote(name);
    }

    private String qualifiedList(List<String> tables) {
        return String.join(", ", tables.stream().map(this::qualified).toList());
    }

    private void execute(int server, String sql) throws SQLException {
        try (Connection connection = database.dataSource(server).getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private String currentLsn(int server) throws SQLException {
        try (Connection connection = database.dataSource(server).getConnection()) {
            return text(connection, "SELECT pg_current_wal_lsn()::text");
        }
    }

    private static String subscriptionErrors(Connection target) {
        try (Statement statement = target.createStatement();
             ResultSet rows = statement.executeQuery("SELECT subname, apply_error_count, sync_error_count "
                     + "FROM pg_stat_subscription_stats WHERE subname LIKE 'pinhole_move_%'")) {
            final StringBuilder errors = new StringBuilder();
            while (rows.next()) {
                errors.append("; subscription ").append(rows.getString(1)).append(": ").append(rows.getLong(2))
                      .append(" apply errors, ").append(rows.getLong(3))
                      .append(" copy errors (the new server's log says which)");
            }
            return errors.toString();
        } catch (SQLException e) {
            return "";
        }
    }

    private static boolean schemaExists(Connection connection, String name) throws SQLException {
        return exists(connection, "SELECT 1 FROM pg_namespace WHERE nspname = ?", name);
    }

    private static List<String> tablesOf(Connection connection, String schemaName) throws SQLException {
        return strings(connection, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = ? AND c.relkind = 'r' ORDER BY 1", schemaName);
    }

    private static List<String> columnsOf(Connection connection, String schemaName) throws SQLException {
        return strings(connection, "SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, "
                + "a.atttypmod) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "JOIN pg_attribute a ON a.attrelid = c.oid WHERE n.nspname = ? AND c.relkind = 'r' "
                + "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum", schemaName);
    }

    private static boolean exists(Connection connection, String sql, String parameter) throws SQLException {
        return !strings(connection, sql, parameter).isEmpty();
    }

    private static List<String> strings(Connection connection, String sql, String parameter) throws SQLException {
        final List<String> values = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
        }
        return values;
    }

    private static String text(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }

    private void say(String format, Object... arguments) {
        options.progress().accept(String.format(Locale.ROOT, format, arguments));
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    // --- the command ---------------------------------------------------------------------------------------------

    /** The service databases that hold logical shards, with their migrations, when no --database is given. */
    static final List<String> SERVICE_DATABASES = List.of("pinhole_identity", "pinhole_media", "pinhole_notify");

    /**
     * {@code ShardMove <logical-shard> <to-server> [--database NAME[=LOCATION,…]]… [--grace SECONDS]
     * [--keep-old-copy]}. Servers, credentials and the configured map come from the services' variables
     * ({@code PINHOLE_DB_SERVERS}, {@code PINHOLE_SHARD_MAP}, … see {@link DatabaseConfig}). A database's migrations
     * default to {@code classpath:db/<name without pinhole_>}. Exit status 2 for bad arguments, 1 for a failed move.
     */
    public static void main(String[] args) {
        final Command command;
        try {
            command = Command.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("shard-move: " + e.getMessage());
            System.err.println("usage: shard-move <logical-shard> <to-server> [--database NAME[=LOCATION,...]]... "
                               + "[--grace SECONDS] [--keep-old-copy]");
            System.exit(2);
            return;
        }
        final Env env = Env.system();
        final Options options = Options.DEFAULT.withOldCopy(command.grace(), command.keepOldCopy())
                .withProgress(line -> System.out.println("shard-move: " + line));
        int status = 0;
        for (Map.Entry<String, List<String>> target : command.databases().entrySet()) {
            final DatabaseConfig configured = DatabaseConfig.fromEnvironment(
                    env.with(Map.of("PINHOLE_DB_NAME", target.getKey())), target.getKey());
            final DatabaseConfig config = new DatabaseConfig(configured.servers(), configured.database(),
                    configured.user(), configured.password(), configured.shardMap(), 4, configured.prepareThreshold(),
                    configured.connectionTimeout());
            try (ShardedDatabase database = ShardedDatabase.open(config, configuration -> { }, null)) {
                final Report report = move(database, target.getValue(), command.logicalShard(), command.toServer(),
                                           options);
                System.out.printf(Locale.ROOT, "shard-move: %s logical shard %d: server %d → %d, copy %d ms, writes "
                                  + "fenced %d ms, total %d ms, %d rows%n", report.database(), report.logicalShard(),
                                  report.fromServer(), report.toServer(), report.copy().toMillis(),
                                  report.fence().toMillis(), report.total().toMillis(),
                                  report.rowsByTable().values().stream().mapToLong(Long::longValue).sum());
            } catch (IllegalArgumentException e) {
                System.err.println("shard-move: " + e.getMessage());
                status = 2;
                break;
            } catch (RuntimeException e) {
                System.err.println("shard-move: " + target.getKey() + ": " + e.getMessage());
                status = 1;
                break;
            }
        }
        System.exit(status);
    }

    /** The parsed command line. */
    record Command(int logicalShard, int toServer, Map<String, List<String>> databases, Duration grace,
                   boolean keepOldCopy) {

        static Command parse(String... args) {
            final List<String> positional = new ArrayList<>();
            final Map<String, List<String>> databases = new LinkedHashMap<>();
            Duration grace = Options.DEFAULT.oldCopyGrace();
            boolean keep = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--database" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("--database needs a database name");
                        }
                        final String[] nameAndLocations = args[++i].split("=", 2);
                        final String name = nameAndLocations[0];
                        databases.put(name, nameAndLocations.length == 2
                                ? List.of(nameAndLocations[1].split(","))
                                : List.of("classpath:db/" + name.replaceFirst("^pinhole_", "")));
                    }
                    case "--grace" -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("--grace needs a number of seconds");
                        }
                        grace = Duration.ofSeconds(number(args[++i], "--grace"));
                    }
                    case "--keep-old-copy" -> keep = true;
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        positional.add(args[i]);
                    }
                }
            }
            if (positional.size() != 2) {
                throw new IllegalArgumentException("expected a logical shard and a physical server, got "
                                                   + positional);
            }
            if (databases.isEmpty()) {
                SERVICE_DATABASES.forEach(name -> databases.put(name,
                        List.of("classpath:db/" + name.replaceFirst("^pinhole_", ""))));
            }
            return new Command(number(positional.get(0), "logical shard"), number(positional.get(1),
                    "physical server"), databases, grace, keep);
        }

        private static int number(String text, String what) {
            try {
                final int value = Integer.parseInt(text);
                if (value < 0) {
                    throw new IllegalArgumentException(what + " must not be negative, was " + text);
                }
                return value;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " must be a number, was '" + text + "'");
            }
        }
    }
}
