package io.pinhole.platform.shard;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The moves of logical shards, recorded in {@code public.pinhole_shard_moves} of a service's database on every
 * physical server (ADR 0009). The configured map ({@code PINHOLE_SHARD_MAP}) is the initial layout; a row here says
 * where a moved shard lives now. Every server holds a copy so that any reachable one can tell; when copies disagree
 * (a server was unreachable while a move was recorded) the highest version wins.
 */
final class ShardMoveRecords {

    static final String TABLE = "public.pinhole_shard_moves";

    private static final Logger log = LoggerFactory.getLogger(ShardMoveRecords.class);

    /** Where one logical shard was moved, and the version of that record (higher is newer). */
    record Placement(int logicalShard, int physicalServer, long version) {}

    private ShardMoveRecords() {}

    /** Creates the table unless it exists; concurrent creators (several services starting at once) are fine. */
    static void ensureTable(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                    + "logical_shard int PRIMARY KEY, "
                    + "physical_server int NOT NULL, "
                    + "version bigint NOT NULL, "
                    + "moved_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        } catch (SQLException e) {
            // IF NOT EXISTS still races on the catalog's unique indexes when two sessions create at the same moment.
            if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    /** The rows of one server's table, by logical shard. */
    static Map<Integer, Placement> read(Connection connection) throws SQLException {
        final Map<Integer, Placement> placements = new HashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT logical_shard, physical_server, version FROM " + TABLE)) {
            while (rows.next()) {
                placements.put(rows.getInt(1), new Placement(rows.getInt(1), rows.getInt(2), rows.getLong(3)));
            }
        }
        return placements;
    }

    /**
     * The newest record of every moved shard over the servers that answer. A server that cannot be reached is
     * skipped (its copy is the same or older unless it alone was reachable during a move); when none answers, the
     * result is empty.
     */
    static Map<Integer, Placement> readNewest(List<? extends DataSource> servers, String database,
                                              boolean createTable) {
        final Map<Integer, Placement> newest = new HashMap<>();
        for (int server = 0; server < servers.size(); server++) {
            try (Connection connection = servers.get(server).getConnection()) {
                connection.setAutoCommit(true);
                if (createTable) {
                    ensureTable(connection);
                }
                read(connection).forEach((shard, placement) -> newest.merge(shard, placement,
                        (a, b) -> a.version() >= b.version() ? a : b));
            } catch (SQLException e) {
                log.warn("could not read the shard moves of {} on physical server {}: {}", database, server,
                         e.toString());
            }
        }
        return newest;
    }

    /** {@code initial} with every recorded move applied; a record naming a shard or server the map lacks is refused. */
    static ShardMap apply(ShardMap initial, Map<Integer, Placement> placements, String database) {
        ShardMap map = initial;
        for (Placement placement : placements.values()) {
            if (placement.logicalShard() < 0 || placement.logicalShard() >= initial.logicalShards()) {
                throw new IllegalStateException(TABLE + " of " + database + " places logical shard "
                        + placement.logicalShard() + ", but the shard map has " + initial.logicalShards()
                        + " (PINHOLE_LOGICAL_SHARDS / PINHOLE_SHARD_MAP)");
            }
            if (placement.physicalServer() < 0 || placement.physicalServer() >= initial.physicalServers()) {
                throw new IllegalStateException(TABLE + " of " + database + " places logical shard "
                        + placement.logicalShard() + " on physical server " + placement.physicalServer()
                        + ", but only " + initial.physicalServers() + " are configured (PINHOLE_DB_SERVERS)");
            }
            map = map.withShardOn(placement.logicalShard(), placement.physicalServer());
        }
        return map;
    }

    /** Records on one server that {@code logicalShard} now lives on {@code physicalServer}, as {@code version}. */
    static void record(Connection connection, int logicalShard, int physicalServer, long version)
            throws SQLException {
        ensureTable(connection);
        try (PreparedStatement upsert = connection.prepareStatement(
                "INSERT INTO " + TABLE + " (logical_shard, physical_server, version, moved_at) "
                + "VALUES (?, ?, ?, clock_timestamp()) ON CONFLICT (logical_shard) DO UPDATE "
                + "SET physical_server = excluded.physical_server, version = excluded.version, "
                + "moved_at = excluded.moved_at WHERE " + TABLE + ".version < excluded.version")) {
            upsert.setInt(1, logicalShard);
            upsert.setInt(2, physicalServer);
            upsert.setLong(3, version);
            upsert.executeUpdate();
        }
    }
}
