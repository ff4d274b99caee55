package io.pinhole.notify;

import static java.util.Objects.requireNonNull;

import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.shard.ShardMap;
import io.pinhole.platform.shard.ShardedDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;

/**
 * svc-notify's rows and where they live: a user's devices, preferences and sharing accounts in the user's shard; a
 * token's owner in the shard named by a hash of the token; subscriptions in the shard of what they watch.
 */
final class NotifyStore {

    static final int USER = 1;
    static final int TAG = 2;
    static final int LOCATION = 3;

    private final ShardedDatabase database;

    NotifyStore(ShardedDatabase database) {
        this.database = requireNonNull(database, "database");
    }

    ShardedDatabase database() {
        return database;
    }

    int userShard(long userId) {
        return PinholeIds.shard(userId) % database.shardMap().logicalShards();
    }

    /** A stable hash (CRC-32) of a name over the logical shards: the same name always lands in the same shard. */
    int hashShard(String name) {
        final CRC32 crc = new CRC32();
        crc.update(name.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % database.shardMap().logicalShards());
    }

    int objectShard(int object, String objectId) {
        return object == USER ? userShard(Long.parseLong(objectId)) : hashShard(object + ":" + objectId);
    }

    private int claimShard(int platform, String token) {
        return hashShard("device:" + platform + ":" + token);
    }

    static byte[] tokenHash(String token) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- devices ----

    /**
     * Registers a token for the user: the claim moves to them (removing the previous owner's row), then the user's
     * row is written and their oldest devices beyond {@code maxDevices} are dropped.
     */
    void registerDevice(long userId, int platform, String token, String appId, String locale, int maxDevices) {
        final int claimShard = claimShard(platform, token);
        final Long previous = database.inShard(claimShard, session -> {
            final NotifyMapper mapper = session.getMapper(NotifyMapper.class);
            final String schema = ShardMap.schemaOf(claimShard);
            final Long owner = mapper.claimOwnerForUpdate(schema, platform, tokenHash(token));
            mapper.claim(schema, platform, tokenHash(token), userId);
            return owner;
        });
        if (previous != null && previous != userId) {
            final int shard = userShard(previous);
            database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                    .deleteDevice(ShardMap.schemaOf(shard), previous, platform, tokenHash(token)));
        }
        final int shard = userShard(userId);
        final List<NotifyMapper.Device> dropped = database.inShard(shard, session -> {
            final NotifyMapper mapper = session.getMapper(NotifyMapper.class);
            mapper.upsertDevice(ShardMap.schemaOf(shard), userId, platform, tokenHash(token), token, appId, locale);
            return mapper.trimDevices(ShardMap.schemaOf(shard), userId, maxDevices);
        });
        for (NotifyMapper.Device device : dropped) {
            unclaim(userId, device.platform, device.token);
        }
    }

    /** Removes the user's token; true when they had it. */
    boolean unregisterDevice(long userId, int platform, String token) {
        final int shard = userShard(userId);
        final boolean removed = database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .deleteDevice(ShardMap.schemaOf(shard), userId, platform, tokenHash(token))) > 0;
        unclaim(userId, platform, token);
        return removed;
    }

    private void unclaim(long userId, int platform, String token) {
        final int claimShard = claimShard(platform, token);
        database.inShard(claimShard, session -> session.getMapper(NotifyMapper.class)
                .unclaim(ShardMap.schemaOf(claimShard), platform, tokenHash(token), userId));
    }

    List<NotifyMapper.Device> devices(long userId) {
        final int shard = userShard(userId);
        return database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .devices(ShardMap.schemaOf(shard), userId));
    }

    /** Who holds the token now; null when nobody does. */
    Long deviceOwner(int platform, String token) {
        final int claimShard = claimShard(platform, token);
        return database.inShard(claimShard, session -> session.getMapper(NotifyMapper.class)
                .claimOwner(ShardMap.schemaOf(claimShard), platform, tokenHash(token)));
    }

    // ---- preferences ----

    NotifyMapper.Preferences preferences(long userId) {
        final int shard = userShard(userId);
        final NotifyMapper.Preferences stored = database.inShard(shard, session -> session
                .getMapper(NotifyMapper.class).preferences(ShardMap.schemaOf(shard), userId));
        return stored != null ? stored : new NotifyMapper.Preferences();
    }

    NotifyMapper.Preferences updatePreferences(long userId, Boolean likes, Boolean comments, Boolean follows,
                                               Boolean followRequests, Boolean mentions) {
        final int shard = userShard(userId);
        return database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .updatePreferences(ShardMap.schemaOf(shard), userId, likes, comments, follows, followRequests, mentions));
    }

    // ---- subscriptions ----

    long newSubscriptionId(int shard) {
        return database.inShard(shard, session -> session.getMapper(NotifyMapper.class).nextId(ShardMap.schemaOf(shard)));
    }

    NotifyMapper.Subscription insertSubscription(int shard, NotifyMapper.Subscription subscription) {
        return database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .insertSubscription(ShardMap.schemaOf(shard), subscription));
    }

    /** The subscriber's subscriptions, newest first: one statement per physical server (they live by object). */
    List<NotifyMapper.Subscription> subscriptionsOf(long subscriberId) {
        final List<NotifyMapper.Subscription> all = new ArrayList<>();
        final ShardMap map = database.shardMap();
        for (int server = 0; server < map.physicalServers(); server++) {
            final List<String> schemas = map.logicalShardsOn(server).stream().map(ShardMap::schemaOf).toList();
            if (!schemas.isEmpty()) {
                all.addAll(database.onServer(server, session -> session.getMapper(NotifyMapper.class)
                        .subscriptionsOf(schemas, subscriberId)));
            }
        }
        all.sort(Comparator.comparing((NotifyMapper.Subscription s) -> s.id).reversed());
        return all;
    }

    NotifyMapper.Subscription subscription(long id) {
        final int shard = PinholeIds.shard(id);
        if (shard >= database.shardMap().logicalShards()) {
            return null;
        }
        return database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .subscription(ShardMap.schemaOf(shard), id));
    }

    List<NotifyMapper.Subscription> activeSubscriptions(int object, String objectId) {
        final int shard = objectShard(object, objectId);
        return database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .activeSubscriptions(ShardMap.schemaOf(shard), object, objectId));
    }

    boolean deleteSubscription(long id, long subscriberId) {
        final int shard = PinholeIds.shard(id);
        if (id <= 0 || shard >= database.shardMap().logicalShards()) {
            return false;
        }
        return database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .deleteSubscription(ShardMap.schemaOf(shard), id, subscriberId)) > 0;
    }

    void recordDeliverySuccess(long id) {
        final int shard = PinholeIds.shard(id);
        database.inShard(shard, session -> session.getMapper(NotifyMapper.class).recordSuccess(ShardMap.schemaOf(shard), id));
    }

    /** Counts a failed delivery; false when the subscription is (now) inactive. */
    boolean recordDeliveryFailure(long id, int failures, Duration after) {
        final int shard = PinholeIds.shard(id);
        final Boolean active = database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .recordFailure(ShardMap.schemaOf(shard), id, failures, after.toMillis() / 1000.0));
        return active != null && active;
    }

    // ---- sharing accounts ----

    NotifyMapper.SharingAccount connect(long userId, String provider, byte[] sealedToken, String displayName) {
        final int shard = userShard(userId);
        return database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .upsertAccount(ShardMap.schemaOf(shard), userId, provider, sealedToken, displayName));
    }

    List<NotifyMapper.SharingAccount> accounts(long userId) {
        final int shard = userShard(userId);
        return database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .accounts(ShardMap.schemaOf(shard), userId));
    }

    NotifyMapper.SharingAccount account(long userId, String provider) {
        final int shard = userShard(userId);
        return database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .account(ShardMap.schemaOf(shard), userId, provider));
    }

    boolean disconnect(long userId, String provider) {
        final int shard = userShard(userId);
        return database.inShard(shard, session -> session.getMapper(NotifyMapper.class)
                .deleteAccount(ShardMap.schemaOf(shard), userId, provider)) > 0;
    }
}
