package io.pinhole.media;

import com.google.protobuf.InvalidProtocolBufferException;
import com.spotify.folsom.MemcacheClient;
import io.pinhole.media.v1.Media;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Look-aside cache of media in memcached, for batches.
 *
 * <ul>
 *   <li><b>Batches</b>: one multi-get; the misses go to the loader together (one SQL statement per server).</li>
 *   <li><b>Stampedes</b>: a miss being loaded by another request of this process is waited for, not loaded again
 *       (single flight per key), so a hot key that expires costs one load per process.</li>
 *   <li><b>Staleness</b>: a write replaces the entry with a tombstone that lives {@link #TOMBSTONE}; fills use
 *       memcached {@code add}, which fails while any entry exists, so a fill that read the row before the write
 *       committed cannot overwrite the tombstone; readers treat a tombstone as a miss and do not fill until it
 *       expires. After that, the next miss caches the committed row.</li>
 *   <li><b>Failure</b>: memcached down or slow (250 ms) means every key is a miss; the service stays up.</li>
 * </ul>
 */
final class MediaCache {

    static final Duration TOMBSTONE = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(MediaCache.class);
    private static final byte LIVE = 0;
    private static final byte DELETED = 1;
    private static final byte WRITTEN = 2;
    private static final java.util.concurrent.Executor FORGET =
            CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS);

    /** What is known about a media ID: its media (without URLs) and whether it is deleted. */
    record Stored(Media media, boolean deleted) {}

    private final MemcacheClient<byte[]> memcached;
    private final int timeToLiveSeconds;
    private final Map<Long, CompletableFuture<Stored>> loading = new ConcurrentHashMap<>();

    MediaCache(MemcacheClient<byte[]> memcached, Duration timeToLive) {
        this.memcached = memcached;
        this.timeToLiveSeconds = (int) timeToLive.toSeconds();
    }

    /** The stored media of {@code ids} (distinct); unknown IDs are absent. {@code loader} reads misses from PostgreSQL. */
    Map<Long, Stored> get(List<Long> ids, Function<List<Long>, Map<Long, Stored>> loader) {
        final Map<Long, Stored> found = new HashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        final List<byte[]> cached = await(memcached.get(ids.stream().map(MediaKeys::media).toList()));
        final List<Long> misses = new ArrayList<>();
        final List<Long> fillable = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            final byte[] bytes = cached == null ? null : cached.get(i);
            final Stored stored = bytes == null ? null : decode(bytes);
            if (stored != null) {
                found.put(ids.get(i), stored);
            } else {
                misses.add(ids.get(i));
                if (bytes == null) {
                    fillable.add(ids.get(i));
                }
            }
        }
        if (misses.isEmpty()) {
            return found;
        }
        // Single flight: load only the misses nobody in this process is loading; wait for the others.
        final Map<Long, CompletableFuture<Stored>> mine = new HashMap<>();
        final Map<Long, CompletableFuture<Stored>> theirs = new HashMap<>();
        for (long id : misses) {
            final CompletableFuture<Stored> future = new CompletableFuture<>();
            final CompletableFuture<Stored> existing = loading.putIfAbsent(id, future);
            (existing == null ? mine : theirs).put(id, existing == null ? future : existing);
        }
        if (!mine.isEmpty()) {
            try {
                final Map<Long, Stored> loaded = loader.apply(List.copyOf(mine.keySet()));
                final List<CompletableFuture<?>> fills = new ArrayList<>();
                for (Map.Entry<Long, Stored> entry : loaded.entrySet()) {
                    if (fillable.contains(entry.getKey())) {
                        fills.add(memcached.add(MediaKeys.media(entry.getKey()), encode(entry.getValue()), timeToLiveSeconds)
                                           .toCompletableFuture());
                    }
                }
                await(CompletableFuture.allOf(fills.toArray(CompletableFuture[]::new)));
                mine.forEach((id, future) -> future.complete(loaded.get(id)));
                // A request that missed memcached just before the fill landed still finds the load for a moment.
                mine.forEach((id, future) -> FORGET.execute(() -> loading.remove(id, future)));
            } catch (RuntimeException e) {
                mine.values().forEach(future -> future.completeExceptionally(e));
                mine.forEach(loading::remove);
                throw e;
            }
        }
        mine.forEach((id, future) -> putIfPresent(found, id, future.join()));
        theirs.forEach((id, future) -> putIfPresent(found, id, future.join()));
        return found;
    }

    /** Marks a media as just written: readers go to PostgreSQL for {@link #TOMBSTONE}. Call after the commit. */
    void written(long mediaId) {
        loading.remove(mediaId);
        await(memcached.set(MediaKeys.media(mediaId), new byte[] {WRITTEN}, (int) TOMBSTONE.toSeconds()));
    }

    private static void putIfPresent(Map<Long, Stored> found, long id, Stored stored) {
        if (stored != null) {
            found.put(id, stored);
        }
    }

    private static byte[] encode(Stored stored) {
        final byte[] media = stored.media().toByteArray();
        final byte[] bytes = new byte[media.length + 1];
        bytes[0] = stored.deleted() ? DELETED : LIVE;
        System.arraycopy(media, 0, bytes, 1, media.length);
        return bytes;
    }

    private static Stored decode(byte[] bytes) {
        if (bytes.length == 0 || bytes[0] == WRITTEN || bytes[0] != LIVE && bytes[0] != DELETED) {
            return null;
        }
        try {
            return new Stored(Media.parseFrom(Arrays.copyOfRange(bytes, 1, bytes.length)), bytes[0] == DELETED);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(250, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            log.debug("memcached failed; going on without the cache: {}", e.toString());
            return null;
        }
    }
}
