package io.pinhole.feed;

import io.lettuce.core.ZStoreArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.common.v1.PageResponse;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.feed.v1.GetPopularResponse;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.User;
import io.pinhole.media.v1.GetMediaRequest;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.platform.events.EventHandler;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.page.Pages;
import io.pinhole.platform.server.Viewer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Instagram's 2011 Popular tab: media ranked by likes and comments (a comment counts {@value #COMMENT_WEIGHT}), with
 * time decay. Each event adds to the current hour's sorted set; every {@code every} the ranking is recomputed as the
 * sum of the last {@value #HOURS} hours weighted by {@code 0.5^(age / halfLife)} (one ZUNIONSTORE), cut to the best
 * {@value #KEPT}. Only media posted within the last {@value #HOURS} hours are shown, and only public accounts' media.
 */
final class Popular implements EventHandler {

    static final int HOURS = 48;
    static final int KEPT = 500;
    static final int COMMENT_WEIGHT = 2;

    private final RedisCommands<String, String> redis;
    private final IdentityServiceBlockingStub identity;
    private final MediaServiceBlockingStub media;
    private final Duration halfLife;
    private final Clock clock;

    Popular(RedisCommands<String, String> redis, IdentityServiceBlockingStub identity, MediaServiceBlockingStub media,
            Duration halfLife, Clock clock) {
        this.redis = redis;
        this.identity = identity;
        this.media = media;
        this.halfLife = halfLife;
        this.clock = clock;
    }

    @Override
    public void handle(EventEnvelope event) {
        switch (event.getPayloadCase()) {
            case LIKED -> add(event.getLiked().getMediaId(), 1);
            case UNLIKED -> add(event.getUnliked().getMediaId(), -1);
            case COMMENTED -> add(event.getCommented().getMediaId(), COMMENT_WEIGHT);
            case COMMENT_DELETED -> add(event.getCommentDeleted().getMediaId(), -COMMENT_WEIGHT);
            case MEDIA_DELETED -> redis.zrem(FeedKeys.popular(), Long.toString(event.getMediaDeleted().getMediaId()));
            default -> { }
        }
    }

    // Redelivery may count an event twice: a ranking tolerates it (and the hour key is the only state).
    private void add(long mediaId, int points) {
        final String hour = FeedKeys.popularHour(currentHour());
        redis.zincrby(hour, points, Long.toString(mediaId));
        redis.expire(hour, Duration.ofHours(HOURS + 1).toSeconds());
    }

    /** Recomputes the ranking from the hourly sets. */
    void recompute() {
        final long now = currentHour();
        final String[] hours = new String[HOURS];
        final double[] weights = new double[HOURS];
        for (int age = 0; age < HOURS; age++) {
            hours[age] = FeedKeys.popularHour(now - age);
            weights[age] = Math.pow(0.5, age * 3600.0 / halfLife.toSeconds());
        }
        final String staging = FeedKeys.popular() + ":next";
        redis.zunionstore(staging, ZStoreArgs.Builder.weights(weights).sum(), hours);
        redis.zremrangebyscore(staging, io.lettuce.core.Range.create(Double.NEGATIVE_INFINITY, 0.0));
        redis.zremrangebyrank(staging, 0, -KEPT - 1);
        if (redis.exists(staging) == 1) {
            redis.rename(staging, FeedKeys.popular());
        } else {
            redis.del(FeedKeys.popular());
        }
    }

    /** A page of the ranking (the cursor is a position in it), as the viewer may see it. */
    GetPopularResponse page(OptionalLong viewer, PageRequest request) {
        final int limit = Pages.limit(request);
        final long offset = Pages.decode(request, 1).map(parts -> parts[0]).orElse(0L);
        final List<String> ranked = redis.zrevrange(FeedKeys.popular(), offset, offset + limit - 1);
        final GetPopularResponse.Builder response = GetPopularResponse.newBuilder().setPage(PageResponse.newBuilder()
                .setNextCursor(ranked.size() < limit ? "" : Pages.cursor(offset + limit)));
        final long oldest = PinholeIds.encode(Math.max(PinholeIds.EPOCH_MILLIS,
                clock.millis() - Duration.ofHours(HOURS).toMillis()), 0, 0);
        final List<Long> ids = ranked.stream().map(Long::parseLong).filter(id -> id >= oldest).toList();
        if (ids.isEmpty()) {
            return response.build();
        }
        final MediaServiceBlockingStub asViewer = viewer.isPresent() ? Viewer.as(media, viewer.getAsLong()) : media;
        final Map<Long, Media> found = asViewer.getMedia(GetMediaRequest.newBuilder().addAllMediaIds(ids).build()).getMediaMap();
        final Set<Long> owners = new HashSet<>();
        found.values().forEach(item -> owners.add(item.getOwnerId()));
        final IdentityServiceBlockingStub identityAsViewer = viewer.isPresent() ? Viewer.as(identity, viewer.getAsLong()) : identity;
        final Map<Long, User> users = owners.isEmpty() ? Map.of()
                : identityAsViewer.getUsers(GetUsersRequest.newBuilder().addAllUserIds(owners).build()).getUsersMap();
        for (long id : ids) {
            final Media item = found.get(id);
            final User owner = item == null ? null : users.get(item.getOwnerId());
            if (owner != null && !owner.getIsPrivate()) {
                response.addMediaIds(id).putMedia(id, item).putUsers(owner.getId(), owner);
            }
        }
        return response.build();
    }

    private long currentHour() {
        return clock.millis() / 3_600_000L;
    }
}
