package io.pinhole.feed;

import io.lettuce.core.api.sync.RedisCommands;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.media.v1.ListRecentMediaIdsRequest;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.platform.events.EventHandler;
import java.util.List;

/**
 * Keeps timelines in step with events (consumer group {@code feed}): a post goes into the author's own timeline and
 * those of their active followers (pipelined, a page of followers at a time), unless the author is huge — then it
 * is only recorded with the author and merged in at read time. A new follow backfills the followee's recent media;
 * an unfollow or a block takes them out. Every step is idempotent (inserting twice adds nothing).
 */
final class FanOut implements EventHandler {

    static final int AUTHOR_RECENT = 100;
    static final int BACKFILL = 50;

    private final TimelineStore timelines;
    private final RedisCommands<String, String> redis;
    private final Followers followers;
    private final IdentityServiceBlockingStub identity;
    private final MediaServiceBlockingStub media;
    private final long hugeThreshold;

    FanOut(TimelineStore timelines, RedisCommands<String, String> redis, Followers followers,
           IdentityServiceBlockingStub identity, MediaServiceBlockingStub media, long hugeThreshold) {
        this.timelines = timelines;
        this.redis = redis;
        this.followers = followers;
        this.identity = identity;
        this.media = media;
        this.hugeThreshold = hugeThreshold;
    }

    @Override
    public void handle(EventEnvelope event) {
        switch (event.getPayloadCase()) {
            case MEDIA_POSTED -> posted(event.getMediaPosted().getOwnerId(), event.getMediaPosted().getMediaId());
            case FOLLOWED -> {
                if (!event.getFollowed().getPending()) {
                    followed(event.getFollowed().getFollowerId(), event.getFollowed().getFolloweeId());
                }
            }
            case UNFOLLOWED -> {
                if (!event.getUnfollowed().getWasPending()) {
                    unfollowed(event.getUnfollowed().getFollowerId(), event.getUnfollowed().getFolloweeId());
                }
            }
            case BLOCKED -> {
                unfollowed(event.getBlocked().getBlockerId(), event.getBlocked().getBlockedId());
                unfollowed(event.getBlocked().getBlockedId(), event.getBlocked().getBlockerId());
            }
            default -> { }
        }
    }

    private void posted(long author, long mediaId) {
        timelines.insertInto(List.of(author), List.of(mediaId));
        if (isHuge(author)) {
            timelines.recordAuthorMedia(author, mediaId, AUTHOR_RECENT);
            if (redis.sadd(FeedKeys.hugeAccounts(), Long.toString(author)) == 1) {
                // Just became huge: its followers merge it in from now on.
                followers.forEachPageOfFollowers(author, page -> page.forEach(
                        follower -> redis.sadd(FeedKeys.hugeFollowees(follower), Long.toString(author))));
            }
            return;
        }
        followers.forEachPageOfFollowers(author, page -> timelines.insertInto(page, List.of(mediaId)));
    }

    private void followed(long follower, long followee) {
        if (redis.sismember(FeedKeys.hugeAccounts(), Long.toString(followee))) {
            redis.sadd(FeedKeys.hugeFollowees(follower), Long.toString(followee));
            return;
        }
        final List<Long> recent = recentMedia(followee, BACKFILL);
        timelines.insertInto(List.of(follower), recent);
    }

    private void unfollowed(long follower, long followee) {
        redis.srem(FeedKeys.hugeFollowees(follower), Long.toString(followee));
        timelines.remove(follower, recentMedia(followee, timelines.cap()));
    }

    private List<Long> recentMedia(long owner, int limit) {
        return media.listRecentMediaIds(ListRecentMediaIdsRequest.newBuilder().addOwnerIds(owner)
                .setLimitPerOwner(limit).setLimit(limit).build()).getMediaIdsList();
    }

    private boolean isHuge(long userId) {
        final var user = identity.getUsers(GetUsersRequest.newBuilder().addUserIds(userId).build()).getUsersMap().get(userId);
        return user != null && user.getFollowerCount() >= hugeThreshold;
    }
}
