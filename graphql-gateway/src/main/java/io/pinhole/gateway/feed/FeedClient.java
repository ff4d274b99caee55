package io.pinhole.gateway.feed;

import static io.pinhole.gateway.client.Grpc.count;
import static io.pinhole.gateway.client.Grpc.dateTime;
import static io.pinhole.gateway.client.Grpc.emptyToNull;
import static io.pinhole.gateway.client.Grpc.page;
import static io.pinhole.gateway.client.Grpc.toCompletable;
import static java.util.Objects.requireNonNull;

import io.pinhole.feed.v1.FeedServiceGrpc.FeedServiceFutureStub;
import io.pinhole.feed.v1.GetActivityRequest;
import io.pinhole.feed.v1.GetHomeFeedRequest;
import io.pinhole.feed.v1.GetPopularRequest;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.identity.IdentityClient;
import io.pinhole.gateway.media.MediaClient;
import io.pinhole.gateway.model.Activity;
import io.pinhole.gateway.model.ActivityConnection;
import io.pinhole.gateway.model.Media;
import io.pinhole.gateway.model.MediaConnection;
import io.pinhole.gateway.model.User;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;

/**
 * svc-feed as the gateway uses it, through the one stub of {@code GatewayConfiguration} (deadline, circuit breaker
 * {@code svc-feed}), as the viewer.
 */
@Component
public class FeedClient {

    private final FeedServiceFutureStub stub;

    public FeedClient(FeedServiceFutureStub feedStub) {
        this.stub = requireNonNull(feedStub, "feedStub");
    }

    /** A page of media IDs with the media and owners svc-feed hydrated them with (to prime the loaders). */
    public record HydratedPage(MediaConnection connection, Map<Long, Media> media, Map<Long, User> users) {}

    /** One page of the signed-in viewer's home timeline, newest first. */
    public CompletableFuture<HydratedPage> homeFeed(ViewerContext viewer, int limit, String cursor) {
        final var request = GetHomeFeedRequest.newBuilder().setPage(page(limit, cursor)).build();
        return toCompletable(viewer.stub(stub).getHomeFeed(request)).thenApply(response -> hydrated(
                response.getMediaIdsList(), response.getPage().getNextCursor(), response.getMediaMap(),
                response.getUsersMap()));
    }

    /** One page of popular media, most popular first (viewer optional). */
    public CompletableFuture<HydratedPage> popular(ViewerContext viewer, int limit, String cursor) {
        final var request = GetPopularRequest.newBuilder().setPage(page(limit, cursor)).build();
        return toCompletable(viewer.stub(stub).getPopular(request)).thenApply(response -> hydrated(
                response.getMediaIdsList(), response.getPage().getNextCursor(), response.getMediaMap(),
                response.getUsersMap()));
    }

    /** One page of the signed-in viewer's activity, newest first; items of an unknown kind are left out. */
    public CompletableFuture<ActivityConnection> activity(ViewerContext viewer, int limit, String cursor) {
        final var request = GetActivityRequest.newBuilder().setPage(page(limit, cursor)).build();
        return toCompletable(viewer.stub(stub).getActivity(request)).thenApply(response -> ActivityConnection.of(
                response.getItemsList().stream().map(FeedClient::toGraphQl).filter(Objects::nonNull).toList(),
                response.getPage().getNextCursor()));
    }

    private static HydratedPage hydrated(List<Long> ids, String nextCursor, Map<Long, io.pinhole.media.v1.Media> media,
                                         Map<Long, io.pinhole.identity.v1.User> users) {
        final Map<Long, Media> hydratedMedia = new HashMap<>();
        media.forEach((id, found) -> hydratedMedia.put(id, MediaClient.toGraphQl(found)));
        final Map<Long, User> hydratedUsers = new HashMap<>();
        users.forEach((id, found) -> hydratedUsers.put(id, IdentityClient.toGraphQl(found)));
        return new HydratedPage(MediaConnection.of(ids, nextCursor), hydratedMedia, hydratedUsers);
    }

    private static Activity toGraphQl(io.pinhole.feed.v1.Activity item) {
        final String kind = switch (item.getKind()) {
            case ACTIVITY_KIND_LIKE -> "LIKE";
            case ACTIVITY_KIND_COMMENT -> "COMMENT";
            case ACTIVITY_KIND_FOLLOW -> "FOLLOW";
            case ACTIVITY_KIND_FOLLOW_REQUEST -> "FOLLOW_REQUEST";
            case ACTIVITY_KIND_MENTION -> "MENTION";
            default -> null; // a kind newer than this gateway: left out rather than breaking the enum
        };
        if (kind == null || item.getActorIdsCount() == 0) {
            return null;
        }
        return new Activity(item.getId(), kind, item.getActorIds(0), Math.max(count(item.getActorCount()), 1),
                            item.getMediaId(), emptyToNull(item.getText()), dateTime(item.getCreatedAt()));
    }
}
