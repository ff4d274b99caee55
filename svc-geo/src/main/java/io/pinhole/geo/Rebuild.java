package io.pinhole.geo;

import static java.util.Objects.requireNonNull;

import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.User;
import io.pinhole.platform.client.ServiceClients;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.shard.DatabaseConfig;
import io.pinhole.platform.shard.ShardMap;
import io.pinhole.platform.shard.ShardedDatabase;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-indexes every geotagged media from svc-media's PostgreSQL into Solr: for a new Solr cluster, after a schema
 * change of an indexed attribute, or to repair drift. Run it as a command while svc-geo runs or not:
 *
 * <pre>java -cp "svc-geo/target/*:svc-geo/target/lib/*" io.pinhole.geo.Rebuild</pre>
 *
 * with the service's environment ({@code PINHOLE_DB_*} of svc-media's servers, {@code PINHOLE_SOLR_*},
 * {@code PINHOLE_IDENTITY_ADDRESS}). It reads svc-media's {@code media} table of every logical shard, <b>read-only</b>
 * (read-only transactions, keyset pages by ID): svc-media has no RPC that lists all media and its table is the
 * source of truth; this is the one place svc-geo reads another service's tables, and it reads only {@code id,
 * owner_id, location_name, lat, lng, created_at, tags, deleted_at}. Owners' privacy comes from svc-identity's
 * GetUsers. Writes are batched ({@code PINHOLE_GEO_REBUILD_BATCH}, default 500) with commitWithin and overwrite what is
 * there (deleted media become tombstones); one soft commit at the end makes everything searchable.
 *
 * <p>Shards are read in order and media in ID (time) order within a shard, so a place is created from its first
 * location in that order: on an empty cluster place IDs can differ from the old cluster's where the same place was
 * first posted in two shards.
 */
public final class Rebuild {

    private static final Logger log = LoggerFactory.getLogger(Rebuild.class);

    /** What a rebuild did. */
    record Result(long indexed, long deleted, Duration took) {}

    private Rebuild() {}

    public static void main(String[] args) {
        final Result result = run(Env.system());
        System.out.printf("rebuild: %d geotagged media indexed, %d tombstones, in %d ms%n",
                          result.indexed(), result.deleted(), result.took().toMillis());
        System.exit(0); // SolrJ's and Armeria's client threads would keep the JVM alive
    }

    /** A rebuild with the connections named by {@code env}, opened and closed here. */
    static Result run(Env env) {
        final Env mediaDatabase = env.with(Map.of("PINHOLE_DB_NAME",
                env.string("PINHOLE_GEO_MEDIA_DB_NAME", PinholeService.MEDIA.databaseName())));
        try (GeoSolr solr = GeoSolr.connect(SolrSettings.fromEnvironment(env));
             ShardedDatabase media = ShardedDatabase.open(DatabaseConfig.fromEnvironment(mediaDatabase,
                     PinholeService.MEDIA.databaseName()), mybatis -> { }, null)) {
            solr.ensureSchema();
            final IdentityServiceBlockingStub identity = ServiceClients.create("identity",
                    PinholeService.IDENTITY.address(env), IdentityServiceBlockingStub.class,
                    ServiceClients.Settings.fromEnvironment(env).withDeadline(Duration.ofSeconds(10)));
            return run(media, solr, identity, env.integer("PINHOLE_GEO_REBUILD_BATCH", 500));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Result run(ShardedDatabase media, GeoSolr solr, IdentityServiceBlockingStub identity, int batchSize) {
        requireNonNull(media, "media");
        final long started = System.nanoTime();
        final GeoIndex index = new GeoIndex(solr);
        final Map<Long, Boolean> privacy = new HashMap<>();
        long indexed = 0;
        long deleted = 0;
        final ShardMap shards = media.shardMap();
        for (int shard = 0; shard < shards.logicalShards(); shard++) {
            long after = 0;
            while (true) {
                final List<Row> rows = read(media, shards, shard, after, batchSize);
                if (rows.isEmpty()) {
                    break;
                }
                resolvePrivacy(identity, privacy, rows);
                final List<GeoIndex.Change> changes = new ArrayList<>();
                for (Row row : rows) {
                    if (row.deleted()) {
                        changes.add(new GeoIndex.Deleted(row.id()));
                        deleted++;
                    } else {
                        changes.add(new GeoIndex.Posted(row.id(), row.ownerId(), privacy.getOrDefault(row.ownerId(), true),
                                row.name(), row.lat(), row.lng(), row.createdAt(), row.tags()));
                        indexed++;
                    }
                }
                index.apply(changes, true);
                after = rows.get(rows.size() - 1).id();
            }
            log.info("rebuild: shard {} done ({} media so far)", shard, indexed + deleted);
        }
        solr.softCommit(solr.places());
        solr.softCommit(solr.media());
        return new Result(indexed, deleted, Duration.ofNanos(System.nanoTime() - started));
    }

    private record Row(long id, long ownerId, String name, double lat, double lng, java.time.Instant createdAt,
                       List<String> tags, boolean deleted) {}

    private static List<Row> read(ShardedDatabase media, ShardMap shards, int shard, long after, int limit) {
        final String sql = "SELECT id, owner_id, coalesce(location_name, ''), lat, lng, created_at, tags, "
                + "deleted_at IS NOT NULL FROM " + ShardMap.schemaOf(shard) + ".media "
                + "WHERE lat IS NOT NULL AND lng IS NOT NULL AND id > ? ORDER BY id LIMIT ?";
        try (Connection connection = media.dataSource(shards.physicalServerOf(shard)).getConnection()) {
            connection.setReadOnly(true);
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setLong(1, after);
                statement.setInt(2, limit);
                final List<Row> rows = new ArrayList<>();
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        final Array tags = result.getArray(7);
                        rows.add(new Row(result.getLong(1), result.getLong(2), result.getString(3), result.getDouble(4),
                                result.getDouble(5), result.getTimestamp(6).toInstant(),
                                tags == null ? List.of() : Arrays.asList((String[]) tags.getArray()), result.getBoolean(8)));
                    }
                }
                return rows;
            } finally {
                if (!connection.getAutoCommit()) {
                    connection.rollback();
                }
                connection.setReadOnly(false);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("rebuild: cannot read media of shard " + shard + ": " + e.getMessage(), e);
        }
    }

    /** Owners' privacy from identity, 100 at a time; an owner identity does not know (deleted) counts as private. */
    private static void resolvePrivacy(IdentityServiceBlockingStub identity, Map<Long, Boolean> privacy, List<Row> rows) {
        final Set<Long> unknown = new LinkedHashSet<>();
        rows.forEach(row -> {
            if (!privacy.containsKey(row.ownerId())) {
                unknown.add(row.ownerId());
            }
        });
        final List<Long> owners = List.copyOf(unknown);
        for (int from = 0; from < owners.size(); from += 100) {
            final List<Long> chunk = owners.subList(from, Math.min(owners.size(), from + 100));
            final Map<Long, User> users = identity.getUsers(GetUsersRequest.newBuilder().addAllUserIds(chunk).build())
                                                  .getUsersMap();
            chunk.forEach(owner -> privacy.put(owner, !users.containsKey(owner) || users.get(owner).getIsPrivate()));
        }
    }
}
