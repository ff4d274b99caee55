package io.pinhole.feed;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.common.v1.PageResponse;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.feed.v1.Activity;
import io.pinhole.feed.v1.ActivityKind;
import io.pinhole.feed.v1.GetActivityResponse;
import io.pinhole.identity.v1.GetRelationshipsRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.Relationship;
import io.pinhole.platform.events.EventHandler;
import io.pinhole.platform.page.Pages;
import io.pinhole.platform.server.Viewer;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each user's activity ("what happened to my things") in Redis: a sorted set of item IDs by time and a hash of the
 * items. Likes of one media aggregate into one item ("x and 4 others liked your photo"), as do the follows of one
 * day; comments, mentions and follow requests are one item each. A set of actors per aggregated item makes the count
 * exact and a redelivered event a no-op. Capped at {@code cap} items per user (oldest dropped).
 */
final class Activities implements EventHandler {

    private static final int SHOWN_ACTORS = 3;
    private static final int MAX_TEXT = 200;
    private static final Duration ACTOR_SETS = Duration.ofDays(30);

    private final RedisCommands<String, byte[]> redis;
    private final IdentityServiceBlockingStub identity;
    private final int cap;

    Activities(StatefulRedisConnection<String, byte[]> redis, IdentityServiceBlockingStub identity, int cap) {
        this.redis = redis.sync();
        this.identity = identity;
        this.cap = cap;
    }

    @Override
    public void handle(EventEnvelope event) {
        final long at = event.getOccurredAt().getSeconds() * 1000 + event.getOccurredAt().getNanos() / 1_000_000;
        switch (event.getPayloadCase()) {
            case LIKED -> {
                final var liked = event.getLiked();
                if (liked.getLikerId() != liked.getOwnerId()) {
                    add(liked.getOwnerId(), "like:" + liked.getMediaId(), ActivityKind.ACTIVITY_KIND_LIKE,
                        liked.getLikerId(), liked.getMediaId(), "", 0, at);
                }
            }
            case COMMENTED -> {
                final var commented = event.getCommented();
                if (commented.getAuthorId() != commented.getOwnerId()) {
                    add(commented.getOwnerId(), "comment:" + commented.getCommentId(), ActivityKind.ACTIVITY_KIND_COMMENT,
                        commented.getAuthorId(), commented.getMediaId(), commented.getText(), commented.getCommentId(), at);
                }
                for (long mentioned : commented.getMentionedUserIdsList()) {
                    if (mentioned != commented.getAuthorId()) {
                        add(mentioned, "mention:comment:" + commented.getCommentId(), ActivityKind.ACTIVITY_KIND_MENTION,
                            commented.getAuthorId(), commented.getMediaId(), commented.getText(), commented.getCommentId(), at);
                    }
                }
            }
            case MEDIA_POSTED -> {
                final var posted = event.getMediaPosted();
                for (long mentioned : posted.getMentionedUserIdsList()) {
                    if (mentioned != posted.getOwnerId()) {
                        add(mentioned, "mention:media:" + posted.getMediaId(), ActivityKind.ACTIVITY_KIND_MENTION,
                            posted.getOwnerId(), posted.getMediaId(), posted.getCaption(), 0, at);
                    }
                }
            }
            case FOLLOWED -> {
                final var followed = event.getFollowed();
                if (followed.getPending()) {
                    add(followed.getFolloweeId(), "follow-request:" + followed.getFollowerId(),
                        ActivityKind.ACTIVITY_KIND_FOLLOW_REQUEST, followed.getFollowerId(), 0, "", 0, at);
                } else if (followed.getApprovedRequest()) {
                    remove(followed.getFolloweeId(), "follow-request:" + followed.getFollowerId());
                } else {
                    final LocalDate day = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(at), ZoneOffset.UTC);
                    add(followed.getFolloweeId(), "follow:" + day, ActivityKind.ACTIVITY_KIND_FOLLOW,
                        followed.getFollowerId(), 0, "", 0, at);
                }
            }
            case UNFOLLOWED -> {
                if (event.getUnfollowed().getWasPending()) {
                    remove(event.getUnfollowed().getFolloweeId(), "follow-request:" + event.getUnfollowed().getFollowerId());
                }
            }
            default -> { }
        }
    }

    private void add(long userId, String itemId, ActivityKind kind, long actor, long mediaId, String text,
                     long commentId, long atMillis) {
        final String actors = FeedKeys.activityActors(userId, itemId);
        if (redis.sadd(actors, Long.toString(actor).getBytes()) == 0) {
            return; // this actor is already in the item: a redelivered event
        }
        redis.pexpire(actors, ACTOR_SETS.toMillis());
        final long count = redis.scard(actors);
        final byte[] stored = redis.hget(FeedKeys.activityItems(userId), itemId);
        final Activity.Builder item = stored == null ? Activity.newBuilder() : parse(stored).toBuilder();
        final List<Long> recent = new ArrayList<>();
        recent.add(actor);
        item.getActorIdsList().stream().filter(id -> id != actor).limit(SHOWN_ACTORS - 1).forEach(recent::add);
        item.setId(itemId).setKind(kind).clearActorIds().addAllActorIds(recent).setActorCount((int) count)
            .setMediaId(mediaId).setCommentId(commentId)
            .setText(text.codePointCount(0, text.length()) <= MAX_TEXT ? text
                     : text.substring(0, text.offsetByCodePoints(0, MAX_TEXT)))
            .setCreatedAt(Timestamp.newBuilder().setSeconds(atMillis / 1000).setNanos((int) (atMillis % 1000) * 1_000_000));
        redis.hset(FeedKeys.activityItems(userId), itemId, item.build().toByteArray());
        redis.zadd(FeedKeys.activity(userId), atMillis, itemId.getBytes());
        final long size = redis.zcard(FeedKeys.activity(userId));
        if (size > cap) {
            for (var dropped : redis.zpopmin(FeedKeys.activity(userId), size - cap)) {
                final String droppedId = new String(dropped.getValue());
                redis.hdel(FeedKeys.activityItems(userId), droppedId);
                redis.del(FeedKeys.activityActors(userId, droppedId));
            }
        }
    }

    private void remove(long userId, String itemId) {
        redis.zrem(FeedKeys.activity(userId), itemId.getBytes());
        redis.hdel(FeedKeys.activityItems(userId), itemId);
        redis.del(FeedKeys.activityActors(userId, itemId));
    }

    /** A page of the viewer's activity, newest first; actors the viewer blocks or who block the viewer left out. */
    GetActivityResponse page(long viewer, PageRequest request) {
        final int limit = Pages.limit(request);
        final long before = Pages.decode(request, 1).map(parts -> parts[0]).orElse(Long.MAX_VALUE);
        final var ids = redis.zrevrangebyscoreWithScores(FeedKeys.activity(viewer),
                Range.create((Number) Double.NEGATIVE_INFINITY, (Number) (double) before).lt(before), Limit.create(0, limit));
        final GetActivityResponse.Builder response = GetActivityResponse.newBuilder().setPage(PageResponse.newBuilder()
                .setNextCursor(ids.size() < limit ? "" : Pages.cursor((long) ids.getLast().getScore())));
        if (ids.isEmpty()) {
            return response.build();
        }
        final List<Activity> items = new ArrayList<>();
        final var values = redis.hmget(FeedKeys.activityItems(viewer), ids.stream().map(id -> new String(id.getValue())).toArray(String[]::new));
        final Set<Long> actors = new HashSet<>();
        for (var value : values) {
            if (value.hasValue()) {
                final Activity item = parse(value.getValue());
                items.add(item);
                actors.addAll(item.getActorIdsList());
            }
        }
        actors.remove(viewer);
        final Map<Long, Relationship> relationships = actors.isEmpty() ? Map.of() : Viewer.as(identity, viewer)
                .getRelationships(GetRelationshipsRequest.newBuilder().addAllUserIds(actors).build()).getRelationshipsMap();
        for (Activity item : items) {
            final List<Long> visible = item.getActorIdsList().stream().filter(actor -> {
                final Relationship relationship = relationships.get(actor);
                return relationship != null && !relationship.getBlocking() && !relationship.getBlockedBy();
            }).toList();
            if (!visible.isEmpty()) {
                response.addItems(item.toBuilder().clearActorIds().addAllActorIds(visible)
                        .setActorCount(Math.max(visible.size(), item.getActorCount() - (item.getActorIdsCount() - visible.size()))));
            }
        }
        return response.build();
    }

    private static Activity parse(byte[] bytes) {
        try {
            return Activity.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("an activity item in Redis is not an Activity", e);
        }
    }
}
