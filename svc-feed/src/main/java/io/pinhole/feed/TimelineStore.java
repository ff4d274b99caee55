package io.pinhole.feed;

import io.lettuce.core.GetExArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Timelines in Redis as packed strings of 8-byte media IDs, newest first (media IDs sort by time). 800 entries take
 * 6,400 bytes plus the key: about 8 bytes per entry (MEMORY USAGE; a sorted set needs 50+). Inserting is a Lua
 * script that binary-searches the position, skips an ID already there (a redelivered event adds nothing) and cuts
 * the oldest beyond the cap; it does nothing for a user without a timeline (inactive: rebuilt when they return).
 */
final class TimelineStore {

    // KEYS[1] timeline; ARGV[1] cap; ARGV[2..] IDs (8-byte big-endian). Returns how many were inserted, -1 when the
    // timeline does not exist. Byte-wise comparison: Lua numbers cannot hold 64-bit IDs.
    private static final String INSERT = """
            local s = redis.call('GET', KEYS[1])
            if not s then return -1 end
            local cap = tonumber(ARGV[1])
            local function greater(a, b)
              for i = 1, 8 do
                local x, y = string.byte(a, i), string.byte(b, i)
                if x ~= y then return x > y end
              end
              return false
            end
            local inserted = 0
            for k = 2, #ARGV do
              local id = ARGV[k]
              local n = #s / 8
              local lo, hi = 0, n
              while lo < hi do
                local mid = math.floor((lo + hi) / 2)
                if greater(string.sub(s, mid * 8 + 1, mid * 8 + 8), id) then lo = mid + 1 else hi = mid end
              end
              if lo < cap and string.sub(s, lo * 8 + 1, lo * 8 + 8) ~= id then
                s = string.sub(s, 1, lo * 8) .. id .. string.sub(s, lo * 8 + 1, cap * 8 - 8)
                inserted = inserted + 1
              end
            end
            if inserted > 0 then redis.call('SET', KEYS[1], s, 'KEEPTTL') end
            return inserted
            """;

    // KEYS[1] timeline; ARGV[1..] IDs to remove. Returns how many were removed.
    private static final String REMOVE = """
            local s = redis.call('GET', KEYS[1])
            if not s then return 0 end
            local gone = {}
            for k = 1, #ARGV do gone[ARGV[k]] = true end
            local kept, removed = {}, 0
            for i = 0, #s / 8 - 1 do
              local id = string.sub(s, i * 8 + 1, i * 8 + 8)
              if gone[id] then removed = removed + 1 else kept[#kept + 1] = id end
            end
            if removed > 0 then redis.call('SET', KEYS[1], table.concat(kept), 'KEEPTTL') end
            return removed
            """;

    private final RedisCommands<String, byte[]> redis;
    private final int cap;
    private final Duration inactivity;

    TimelineStore(StatefulRedisConnection<String, byte[]> connection, int cap, Duration inactivity) {
        this.redis = connection.sync();
        this.cap = cap;
        this.inactivity = inactivity;
    }

    int cap() {
        return cap;
    }

    /** The user's timeline, its expiry renewed (the user is active); null when there is none. One round trip. */
    long[] read(long userId) {
        return unpack(redis.getex(FeedKeys.timeline(userId), GetExArgs.Builder.px(inactivity.toMillis())));
    }

    /** Replaces the user's timeline with {@code ids} (any order; the newest {@code cap} are kept). */
    void replace(long userId, Collection<Long> ids) {
        final long[] sorted = ids.stream().mapToLong(Long::longValue).distinct().sorted().toArray();
        final int kept = Math.min(cap, sorted.length);
        final ByteBuffer packed = ByteBuffer.allocate(kept * Long.BYTES);
        for (int i = 0; i < kept; i++) {
            packed.putLong(sorted[sorted.length - 1 - i]);
        }
        redis.set(FeedKeys.timeline(userId), packed.array(), SetArgs.Builder.px(inactivity.toMillis()));
    }

    /** Inserts media IDs into each existing timeline among {@code userIds}, pipelined; returns how many were inserted. */
    long insertInto(List<Long> userIds, List<Long> mediaIds) {
        return insert(userIds.stream().map(FeedKeys::timeline).toList(), mediaIds, cap);
    }

    /** Keeps a huge author's recent media (at most {@code keep}), creating the list when needed. */
    void recordAuthorMedia(long authorId, long mediaId, int keep) {
        redis.set(FeedKeys.authorRecent(authorId), new byte[0], SetArgs.Builder.nx());
        insert(List.of(FeedKeys.authorRecent(authorId)), List.of(mediaId), keep);
    }

    long[] authorRecent(long authorId) {
        final long[] ids = unpack(redis.get(FeedKeys.authorRecent(authorId)));
        return ids == null ? new long[0] : ids;
    }

    long remove(long userId, Collection<Long> mediaIds) {
        if (mediaIds.isEmpty()) {
            return 0;
        }
        final byte[][] args = mediaIds.stream().map(TimelineStore::bytes).toArray(byte[][]::new);
        return redis.eval(REMOVE, ScriptOutputType.INTEGER, new String[] {FeedKeys.timeline(userId)}, args);
    }

    private long insert(List<String> keys, List<Long> mediaIds, int limit) {
        if (keys.isEmpty() || mediaIds.isEmpty()) {
            return 0;
        }
        final byte[][] args = new byte[mediaIds.size() + 1][];
        args[0] = Integer.toString(limit).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i < mediaIds.size(); i++) {
            args[i + 1] = bytes(mediaIds.get(i));
        }
        final String sha = redis.scriptLoad(INSERT);
        final List<io.lettuce.core.RedisFuture<Long>> replies = new ArrayList<>();
        // One pipeline for the whole batch: the async API on the same connection sends without waiting.
        final var async = asyncOf();
        for (String key : keys) {
            replies.add(async.evalsha(sha, ScriptOutputType.INTEGER, new String[] {key}, args));
        }
        long inserted = 0;
        for (var reply : replies) {
            try {
                inserted += Math.max(0, reply.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while fanning out", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("fan-out write failed", e.getCause());
            }
        }
        return inserted;
    }

    private io.lettuce.core.api.async.RedisAsyncCommands<String, byte[]> asyncOf() {
        return ((io.lettuce.core.api.StatefulRedisConnection<String, byte[]>) redis.getStatefulConnection()).async();
    }

    static byte[] bytes(long id) {
        return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
    }

    static long[] unpack(byte[] packed) {
        if (packed == null) {
            return null;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(packed);
        final long[] ids = new long[packed.length / Long.BYTES];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = buffer.getLong();
        }
        return ids;
    }
}
