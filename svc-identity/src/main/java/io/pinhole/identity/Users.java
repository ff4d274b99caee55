package io.pinhole.identity;

import com.google.protobuf.InvalidProtocolBufferException;
import com.spotify.folsom.MemcacheClient;
import io.pinhole.identity.v1.User;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.shard.ShardMap;
import io.pinhole.platform.shard.ShardedDatabase;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads of users, usernames and blockers, look-aside through memcached: one multi-get for the whole batch, then
 * one query per physical server for the misses (each covering all of that server's logical shards), then the misses
 * are cached. Writers call {@link #invalidate} after their transaction commits.
 *
 * <p>memcached is a cache, never a dependency: when it is down or slow, reads go to PostgreSQL and the service
 * stays up. A fill racing an invalidation can cache a stale copy; entries live {@code timeToLive} (default 10
 * minutes) to bound that, and every write invalidates again.
 */
final class Users {

    private static final Logger log = LoggerFactory.getLogger(Users.class);
    private static final Duration CACHE_WAIT = Duration.ofMillis(250);

    private final ShardedDatabase database;
    private final MemcacheClient<byte[]> cache;
    private final int timeToLiveSeconds;

    Users(ShardedDatabase database, MemcacheClient<byte[]> cache, Duration timeToLive) {
        this.database = database;
        this.cache = cache;
        this.timeToLiveSeconds = (int) timeToLive.toSeconds();
    }

    /** True when {@code id} could name a user of this deployment (its shard exists). */
    boolean isPossibleId(long id) {
        return id > 0 && PinholeIds.shard(id) < database.shardMap().logicalShards();
    }

    static String schemaOf(long id) {
        return ShardMap.schemaOf(PinholeIds.shard(id));
    }

    /** The users among {@code ids} that exist; impossible IDs are simply absent. */
    Map<Long, User> byIds(Collection<Long> ids) {
        final List<Long> wanted = ids.stream().filter(this::isPossibleId).distinct().toList();
        final Map<Long, User> found = new HashMap<>();
        final List<byte[]> cached = cacheGetAll(wanted.stream().map(IdentityKeys::user).toList());
        final List<Long> misses = new ArrayList<>();
        for (int i = 0; i < wanted.size(); i++) {
            final User user = cached == null || cached.get(i) == null ? null : parse(cached.get(i));
            if (user == null) {
                misses.add(wanted.get(i));
            } else {
                found.put(user.getId(), user);
            }
        }
        for (UserRow row : queryPerServer(misses, PinholeIds::shard, IdentityMapper::users)) {
            final User user = row.toUser();
            found.put(user.getId(), user);
            cacheSet(IdentityKeys.user(user.getId()), user.toByteArray());
        }
        return found;
    }

    /** User IDs of the claimed usernames among {@code usernames} (already lower-cased and well-formed). */
    Map<String, Long> idsByUsernames(Collection<String> usernames) {
        final List<String> wanted = List.copyOf(new LinkedHashSet<>(usernames));
        final Map<String, Long> found = new HashMap<>();
        final List<byte[]> cached = cacheGetAll(wanted.stream().map(IdentityKeys::username).toList());
        final List<String> misses = new ArrayList<>();
        for (int i = 0; i < wanted.size(); i++) {
            if (cached == null || cached.get(i) == null || cached.get(i).length != Long.BYTES) {
                misses.add(wanted.get(i));
            } else {
                found.put(wanted.get(i), ByteBuffer.wrap(cached.get(i)).getLong());
            }
        }
        for (UserRow claim : queryPerServer(misses, name -> NameClaims.shardOf(name, database.shardMap()),
                                            IdentityMapper::usernameClaims)) {
            found.put(claim.username, claim.id);
        }
        return found;
    }

    /** Caches a username's owner once the user exists (a claim alone may still be abandoned). */
    void cacheUsername(String username, long userId) {
        cacheSet(IdentityKeys.username(username), ByteBuffer.allocate(Long.BYTES).putLong(userId).array());
    }

    /** The users who block {@code userId}. */
    Set<Long> blockersOf(long userId) {
        final List<byte[]> cached = cacheGetAll(List.of(IdentityKeys.blockers(userId)));
        if (cached != null && cached.get(0) != null) {
            final ByteBuffer buffer = ByteBuffer.wrap(cached.get(0));
            final Set<Long> blockers = new java.util.HashSet<>();
            while (buffer.remaining() >= Long.BYTES) {
                blockers.add(buffer.getLong());
            }
            return blockers;
        }
        final List<Long> blockers = database.inShard(PinholeIds.shard(userId),
                session -> session.getMapper(IdentityMapper.class).blockers(schemaOf(userId), userId));
        final ByteBuffer bytes = ByteBuffer.allocate(blockers.size() * Long.BYTES);
        blockers.forEach(bytes::putLong);
        cacheSet(IdentityKeys.blockers(userId), bytes.array());
        return Set.copyOf(blockers);
    }

    /** Drops cached copies of users (after their row changed). */
    void invalidate(long... userIds) {
        for (long id : userIds) {
            cacheDelete(IdentityKeys.user(id));
        }
    }

    /** Drops the cached blocker list of a user (after someone blocked or unblocked them). */
    void invalidateBlockers(long userId) {
        cacheDelete(IdentityKeys.blockers(userId));
    }

    /**
     * Runs {@code query} once per physical server with the keys of that server grouped by schema, and collects the
     * rows. Servers are queried one after the other: a batch spans at most a few servers here, and each query is
     * one index lookup per key.
     */
    private <K> List<UserRow> queryPerServer(List<K> keys, Function<K, Integer> shardOfKey,
                                             QueryOnServer<K> query) {
        if (keys.isEmpty()) {
            return List.of();
        }
        final Map<Integer, Map<String, List<K>>> byServer = new TreeMap<>();
        for (K key : keys) {
            final int shard = shardOfKey.apply(key);
            byServer.computeIfAbsent(database.shardMap().physicalServerOf(shard), server -> new TreeMap<>())
                    .computeIfAbsent(ShardMap.schemaOf(shard), schema -> new ArrayList<>()).add(key);
        }
        final List<UserRow> rows = new ArrayList<>();
        byServer.forEach((server, keysBySchema) -> rows.addAll(database.onServer(server,
                session -> query.run(session.getMapper(IdentityMapper.class), keysBySchema))));
        return rows;
    }

    @FunctionalInterface
    private interface QueryOnServer<K> {
        List<UserRow> run(IdentityMapper mapper, Map<String, List<K>> keysBySchema);
    }

    private static User parse(byte[] bytes) {
        try {
            return User.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    private List<byte[]> cacheGetAll(List<String> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        return await(cache.get(keys), "get");
    }

    private void cacheSet(String key, byte[] value) {
        cache.set(key, value, timeToLiveSeconds);
    }

    private void cacheDelete(String key) {
        await(cache.delete(key), "delete");
    }

    private <T> T await(CompletionStage<T> stage, String operation) {
        try {
            return stage.toCompletableFuture().get(CACHE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            log.debug("memcached {} failed; going on without the cache: {}", operation, e.toString());
            return null;
        }
    }
}
