package io.pinhole.feed;

import io.lettuce.core.api.sync.RedisCommands;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.common.v1.PageResponse;
import io.pinhole.feed.v1.GetHomeFeedResponse;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.User;
import io.pinhole.media.v1.GetMediaRequest;
import io.pinhole.media.v1.GetMediaResponse;
import io.pinhole.media.v1.ListRecentMediaIdsRequest;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.platform.page.Pages;
import io.pinhole.platform.server.Viewer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reading a home timeline: the viewer's Redis timeline (renewing its expiry), merged with the recent media of the
 * huge accounts they follow, paged by media ID (stable when new posts arrive at the head), then filtered and
 * hydrated with one GetMedia and one GetUsers call, both as the viewer. Deleted media found on the way are taken out
 * of the timeline for good. A missing timeline is rebuilt from PostgreSQL (through identity's follow list and
 * media's recent IDs); when that takes longer than {@code rebuildWait} the page is answered as it is and marked
 * partial while the rebuild finishes in the background.
 */
final class HomeFeed implements AutoCloseable {

    private static final int MAX_FOLLOWEES = 1000;

    private final TimelineStore timelines;
    private final RedisCommands<String, String> redis;
    private final Followers followers;
    private final IdentityServiceBlockingStub identity;
    private final MediaServiceBlockingStub media;
    private final Duration rebuildWait;
    private final ExecutorService rebuilds = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<Long, CompletableFuture<Void>> rebuilding = new ConcurrentHashMap<>();

    HomeFeed(TimelineStore timelines, RedisCommands<String, String> redis, Followers followers,
             IdentityServiceBlockingStub identity, MediaServiceBlockingStub media, Duration rebuildWait) {
        this.timelines = timelines;
        this.redis = redis;
        this.followers = followers;
        this.identity = identity;
        this.media = media;
        this.rebuildWait = rebuildWait;
    }

    GetHomeFeedResponse page(long viewer, PageRequest request) {
        final int limit = Pages.limit(request);
        final long before = Pages.decode(request, 1).map(parts -> parts[0]).orElse(Long.MAX_VALUE);
        boolean partial = false;
        long[] timeline = timelines.read(viewer);
        if (timeline == null) {
            partial = !rebuild(viewer);
            timeline = timelines.read(viewer);
            if (timeline == null) {
                timeline = new long[0];
            }
        }
        // Newest first, merged with huge followees' recent media, only IDs older than the cursor.
        final TreeSet<Long> candidates = new TreeSet<>(java.util.Comparator.reverseOrder());
        for (long id : timeline) {
            if (id < before) {
                candidates.add(id);
            }
        }
        for (String huge : redis.smembers(FeedKeys.hugeFollowees(viewer))) {
            for (long id : timelines.authorRecent(Long.parseLong(huge))) {
                if (id < before) {
                    candidates.add(id);
                }
            }
        }
        final List<Long> page = candidates.stream().limit(limit).toList();
        final GetHomeFeedResponse.Builder response = GetHomeFeedResponse.newBuilder().setPartial(partial)
                .setPage(PageResponse.newBuilder().setNextCursor(page.size() < limit ? "" : Pages.cursor(page.getLast())));
        if (page.isEmpty()) {
            return response.build();
        }
        final GetMediaResponse found = Viewer.as(media, viewer).getMedia(GetMediaRequest.newBuilder().addAllMediaIds(page).build());
        if (found.getDeletedMediaIdsCount() > 0) {
            timelines.remove(viewer, found.getDeletedMediaIdsList());
        }
        final Set<Long> owners = new HashSet<>();
        found.getMediaMap().values().forEach(item -> owners.add(item.getOwnerId()));
        final Map<Long, User> users = owners.isEmpty() ? Map.of() : Viewer.as(identity, viewer)
                .getUsers(GetUsersRequest.newBuilder().addAllUserIds(owners).build()).getUsersMap();
        for (long id : page) {
            final Media item = found.getMediaMap().get(id);
            if (item != null && users.containsKey(item.getOwnerId())) {
                response.addMediaIds(id).putMedia(id, item);
                response.putUsers(item.getOwnerId(), users.get(item.getOwnerId()));
            }
        }
        return response.build();
    }

    /** Rebuilds the viewer's timeline; true when it finished within the wait. */
    boolean rebuild(long viewer) {
        final CompletableFuture<Void> running = rebuilding.computeIfAbsent(viewer, id -> CompletableFuture
                .runAsync(() -> rebuildNow(viewer), rebuilds)
                .whenComplete((done, error) -> rebuilding.remove(viewer)));
        try {
            running.get(rebuildWait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
    }

    private void rebuildNow(long viewer) {
        final List<Long> followees = followers.following(viewer, MAX_FOLLOWEES);
        final Set<String> huge = redis.smembers(FeedKeys.hugeAccounts());
        final List<Long> fannedOut = new ArrayList<>();
        fannedOut.add(viewer);
        redis.del(FeedKeys.hugeFollowees(viewer));
        for (long followee : followees) {
            if (huge.contains(Long.toString(followee))) {
                redis.sadd(FeedKeys.hugeFollowees(viewer), Long.toString(followee));
            } else {
                fannedOut.add(followee);
            }
        }
        final List<Long> recent = media.listRecentMediaIds(ListRecentMediaIdsRequest.newBuilder().addAllOwnerIds(fannedOut)
                .setLimitPerOwner(FanOut.BACKFILL).setLimit(timelines.cap()).build()).getMediaIdsList();
        timelines.replace(viewer, recent);
    }

    @Override
    public void close() {
        rebuilds.shutdownNow();
    }
}
