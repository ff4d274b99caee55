package io.pinhole.platform.shard;

import static java.util.Objects.requireNonNull;

import io.pinhole.platform.config.Env;
import java.time.Duration;
import java.util.List;

/**
 * Where a service's sharded database lives.
 *
 * <p>Each service owns one database (for example {@code pinhole_media}) on every physical server; inside it, one
 * schema per logical shard. Environment variables:
 * <ul>
 *   <li>{@code PINHOLE_DB_SERVERS}: physical servers as {@code host:port}, comma-separated, in index order
 *       (default {@code 127.0.0.1:15432,127.0.0.1:15433}, devstack's ports)</li>
 *   <li>{@code PINHOLE_DB_NAME}: the database name (default {@code pinhole_<service>})</li>
 *   <li>{@code PINHOLE_DB_USER}, {@code PINHOLE_DB_PASSWORD} (default {@code postgres}, empty)</li>
 *   <li>{@code PINHOLE_LOGICAL_SHARDS} (default 16) and {@code PINHOLE_SHARD_MAP} (default: contiguous blocks)</li>
 *   <li>{@code PINHOLE_DB_POOL_SIZE}: connections per physical server (default 10)</li>
 *   <li>{@code PINHOLE_DB_PREPARE_THRESHOLD}: the JDBC driver's prepareThreshold; set 0 behind pgbouncer in
 *       transaction mode (default 5, the driver's)</li>
 * </ul>
 */
public record DatabaseConfig(
        List<String> servers,
        String database,
        String user,
        String password,
        ShardMap shardMap,
        int poolSize,
        int prepareThreshold,
        Duration connectionTimeout) {

    public DatabaseConfig {
        requireNonNull(servers, "servers");
        requireNonNull(database, "database");
        requireNonNull(user, "user");
        requireNonNull(password, "password");
        requireNonNull(shardMap, "shardMap");
        servers = List.copyOf(servers);
        if (servers.size() != shardMap.physicalServers()) {
            throw new IllegalArgumentException("shard map expects " + shardMap.physicalServers()
                    + " physical servers but " + servers.size() + " are configured");
        }
    }

    public static DatabaseConfig fromEnvironment(Env env, String defaultDatabase) {
        final List<String> servers = env.list("PINHOLE_DB_SERVERS", List.of("127.0.0.1:15432", "127.0.0.1:15433"));
        final int logicalShards = env.integer("PINHOLE_LOGICAL_SHARDS", 16);
        final ShardMap shardMap = env.find("PINHOLE_SHARD_MAP")
                .map(spec -> ShardMap.parse(spec, servers.size()))
                .orElseGet(() -> ShardMap.contiguous(logicalShards, servers.size()));
        return new DatabaseConfig(
                servers,
                env.string("PINHOLE_DB_NAME", defaultDatabase),
                env.string("PINHOLE_DB_USER", "postgres"),
                env.string("PINHOLE_DB_PASSWORD", ""),
                shardMap,
                env.integer("PINHOLE_DB_POOL_SIZE", 10),
                env.integer("PINHOLE_DB_PREPARE_THRESHOLD", 5),
                env.duration("PINHOLE_DB_CONNECT_TIMEOUT", Duration.ofSeconds(5)));
    }

    /** The JDBC URL of physical server {@code index}. */
    public String jdbcUrl(int index) {
        return "jdbc:postgresql://" + servers.get(index) + "/" + database;
    }
}
