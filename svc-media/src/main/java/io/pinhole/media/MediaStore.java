package io.pinhole.media;

import io.pinhole.events.v1.CommentDeleted;
import io.pinhole.events.v1.Commented;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.events.v1.EventLocation;
import io.pinhole.events.v1.Liked;
import io.pinhole.events.v1.MediaDeleted;
import io.pinhole.events.v1.MediaPosted;
import io.pinhole.events.v1.Unliked;
import io.pinhole.platform.error.PinholeException;
import io.pinhole.platform.events.Outbox;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.shard.ShardMap;
import io.pinhole.platform.shard.ShardedDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import org.apache.ibatis.session.SqlSession;

/**
 * svc-media's PostgreSQL: every write is one transaction in the owner's logical shard with its event in the outbox;
 * batch reads are one statement per physical server, the servers queried in parallel.
 */
final class MediaStore implements AutoCloseable {

    private final ShardedDatabase database;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    MediaStore(ShardedDatabase database) {
        this.database = database;
    }

    static String schemaOf(long id) {
        return ShardMap.schemaOf(PinholeIds.shard(id));
    }

    /** True when {@code id} could name a row of this deployment (its logical shard exists). */
    boolean isPossibleId(long id) {
        return id > 0 && PinholeIds.shard(id) < database.shardMap().logicalShards();
    }

    // ---------------------------------------------------------------- batch reads

    /**
     * Runs {@code query} once per physical server holding any of {@code ids}, with that server's IDs grouped by
     * schema, all servers in parallel, and collects the rows.
     */
    <T> List<T> perServer(Collection<Long> ids, BiFunction<MediaMapper, Map<String, List<Long>>, List<T>> query) {
        final Map<Integer, Map<String, List<Long>>> byServer = new TreeMap<>();
        for (long id : ids) {
            if (isPossibleId(id)) {
                byServer.computeIfAbsent(database.shardMap().physicalServerOfId(id), server -> new TreeMap<>())
                        .computeIfAbsent(schemaOf(id), schema -> new ArrayList<>()).add(id);
            }
        }
        final List<CompletableFuture<List<T>>> servers = new ArrayList<>();
        byServer.forEach((server, idsBySchema) -> servers.add(CompletableFuture.supplyAsync(() -> database.onServer(server,
                session -> query.apply(mapper(session), idsBySchema)), executor)));
        final List<T> rows = new ArrayList<>();
        for (CompletableFuture<List<T>> server : servers) {
            try {
                rows.addAll(server.join());
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
            }
        }
        return rows;
    }

    /** The same query on every physical server over all of its logical shards, in parallel. */
    <T> List<T> everyServer(BiFunction<MediaMapper, List<String>, List<T>> query) {
        final List<CompletableFuture<List<T>>> servers = new ArrayList<>();
        for (int server = 0; server < database.shardMap().physicalServers(); server++) {
            final int physical = server;
            final List<String> schemas = database.shardMap().logicalShardsOn(physical).stream().map(ShardMap::schemaOf).toList();
            if (!schemas.isEmpty()) {
                servers.add(CompletableFuture.supplyAsync(() -> database.onServer(physical,
                        session -> query.apply(mapper(session), schemas)), executor));
            }
        }
        final List<T> rows = new ArrayList<>();
        servers.forEach(server -> rows.addAll(server.join()));
        return rows;
    }

    Map<Long, MediaCache.Stored> loadMedia(List<Long> ids) {
        final Map<Long, MediaCache.Stored> found = new HashMap<>();
        for (MediaRow row : perServer(ids, MediaMapper::mediaIn)) {
            found.put(row.id, new MediaCache.Stored(row.toMedia(), row.deletedAt != null));
        }
        return found;
    }

    <T> T inShardOf(long id, java.util.function.Function<MediaMapper, T> work) {
        return database.inShard(PinholeIds.shard(id), session -> work.apply(mapper(session)));
    }

    // ---------------------------------------------------------------- writes

    /** A fresh media ID in the owner's shard (the renditions are stored under it before the row exists). */
    long newMediaId(long ownerId) {
        return inShardOf(ownerId, mapper -> mapper.nextId(schemaOf(ownerId)));
    }

    /** Inserts the media, its tags and its MediaPosted event; returns the stored row. */
    MediaRow post(MediaRow media, List<String> shareTo, boolean ownerIsPrivate) {
        return database.inShard(PinholeIds.shard(media.id), session -> {
            final MediaMapper mapper = mapper(session);
            final String schema = schemaOf(media.id);
            mapper.insertMedia(schema, media);
            final List<String> tags = Arrays.asList(media.tags);
            if (!tags.isEmpty()) {
                mapper.insertTagMedia(schema, media.id, tags);
                mapper.addToTagCounts(schema, tags, 1);
            }
            final MediaRow stored = mapper.media(schema, media.id);
            final MediaPosted.Builder posted = MediaPosted.newBuilder().setMediaId(stored.id).setOwnerId(stored.ownerId)
                    .setCaption(stored.caption).addAllTags(tags).addAllMentionedUserIds(Arrays.asList(stored.mentionedUserIds))
                    .setCreatedAt(MediaRow.timestamp(stored.createdAt)).addAllShareTo(shareTo).setOwnerIsPrivate(ownerIsPrivate);
            if (stored.lat != null && stored.lng != null) {
                posted.setLocation(EventLocation.newBuilder().setName(stored.locationName == null ? "" : stored.locationName)
                                                .setLat(stored.lat).setLng(stored.lng));
            }
            Outbox.append(session, EventEnvelope.newBuilder().setAggregateId(stored.ownerId).setMediaPosted(posted).build());
            return stored;
        });
    }

    /** Marks a media deleted (its tags stop counting) with its event; false when it already was. */
    boolean delete(long mediaId) {
        return database.inShard(PinholeIds.shard(mediaId), session -> {
            final MediaMapper mapper = mapper(session);
            final String schema = schemaOf(mediaId);
            final MediaRow media = mapper.media(schema, mediaId);
            if (media == null || mapper.markDeleted(schema, mediaId) == 0) {
                return false;
            }
            if (media.tags.length > 0) {
                mapper.addToTagCounts(schema, Arrays.asList(media.tags), -1);
            }
            Outbox.append(session, EventEnvelope.newBuilder().setAggregateId(media.ownerId)
                    .setMediaDeleted(MediaDeleted.newBuilder().setMediaId(mediaId).setOwnerId(media.ownerId)).build());
            return true;
        });
    }

    /** Adds or removes a like; the count and the event only when something changed. Returns the media after. */
    MediaRow like(long mediaId, long userId, boolean like) {
        return database.inShard(PinholeIds.shard(mediaId), session -> {
            final MediaMapper mapper = mapper(session);
            final String schema = schemaOf(mediaId);
            final MediaRow media = liveMedia(mapper, mediaId);
            final boolean changed = like ? mapper.insertLike(schema, mediaId, userId) == 1
                                         : mapper.deleteLike(schema, mediaId, userId) == 1;
            if (changed) {
                mapper.addToLikeCount(schema, mediaId, like ? 1 : -1);
                final EventEnvelope.Builder event = EventEnvelope.newBuilder().setAggregateId(mediaId);
                if (like) {
                    event.setLiked(Liked.newBuilder().setMediaId(mediaId).setOwnerId(media.ownerId).setLikerId(userId));
                } else {
                    event.setUnliked(Unliked.newBuilder().setMediaId(mediaId).setOwnerId(media.ownerId).setLikerId(userId));
                }
                Outbox.append(session, event.build());
            }
            return mapper.media(schema, mediaId);
        });
    }

    CommentRow addComment(long mediaId, long authorId, String text, List<Long> mentioned) {
        return database.inShard(PinholeIds.shard(mediaId), session -> {
            final MediaMapper mapper = mapper(session);
            final String schema = schemaOf(mediaId);
            final MediaRow media = liveMedia(mapper, mediaId);
            final CommentRow comment = new CommentRow();
            comment.id = mapper.nextId(schema);
            comment.mediaId = mediaId;
            comment.authorId = authorId;
            comment.text = text;
            comment.mentionedUserIds = mentioned.toArray(Long[]::new);
            mapper.insertComment(schema, comment);
            mapper.addToCommentCount(schema, mediaId, 1);
            Outbox.append(session, EventEnvelope.newBuilder().setAggregateId(mediaId).setCommented(Commented.newBuilder()
                    .setCommentId(comment.id).setMediaId(mediaId).setOwnerId(media.ownerId).setAuthorId(authorId)
                    .setText(text).addAllMentionedUserIds(mentioned)).build());
            return mapper.comment(schema, comment.id);
        });
    }

    /** Marks a comment deleted with its event; false when it already was. */
    boolean deleteComment(CommentRow comment, long ownerId) {
        return database.inShard(PinholeIds.shard(comment.id), session -> {
            final MediaMapper mapper = mapper(session);
            final String schema = schemaOf(comment.id);
            if (mapper.markCommentDeleted(schema, comment.id) == 0) {
                return false;
            }
            mapper.addToCommentCount(schema, comment.mediaId, -1);
            Outbox.append(session, EventEnvelope.newBuilder().setAggregateId(comment.mediaId).setCommentDeleted(
                    CommentDeleted.newBuilder().setCommentId(comment.id).setMediaId(comment.mediaId).setOwnerId(ownerId)
                                  .setAuthorId(comment.authorId).addAllMentionedUserIds(Arrays.asList(comment.mentionedUserIds)))
                    .build());
            return true;
        });
    }

    private static MediaRow liveMedia(MediaMapper mapper, long mediaId) {
        final MediaRow media = mapper.media(schemaOf(mediaId), mediaId);
        if (media == null || media.deletedAt != null) {
            throw PinholeException.notFound("no media " + mediaId);
        }
        return media;
    }

    private static MediaMapper mapper(SqlSession session) {
        return session.getMapper(MediaMapper.class);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    static Instant micros(long micros) {
        return Instant.EPOCH.plus(micros, java.time.temporal.ChronoUnit.MICROS);
    }
}
