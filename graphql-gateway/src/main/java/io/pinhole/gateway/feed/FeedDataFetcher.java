package io.pinhole.gateway.feed;

import com.netflix.graphql.dgs.DgsComponent;
import com.netflix.graphql.dgs.DgsData;
import com.netflix.graphql.dgs.DgsDataFetchingEnvironment;
import com.netflix.graphql.dgs.DgsQuery;
import com.netflix.graphql.dgs.InputArgument;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.media.MediaDataLoader;
import io.pinhole.gateway.model.Activity;
import io.pinhole.gateway.model.ActivityConnection;
import io.pinhole.gateway.model.Media;
import io.pinhole.gateway.model.MediaConnection;
import io.pinhole.gateway.model.User;
import io.pinhole.gateway.schema.Arguments;
import io.pinhole.gateway.user.UserDataLoader;
import java.util.concurrent.CompletableFuture;
import org.dataloader.DataLoader;

/**
 * {@code Query.feed}, {@code Query.popular}, {@code Query.activity} and the references of {@code Activity}.
 *
 * <p>svc-feed answers a feed or popular page with its media and their owners already fetched (one GetMedia and one
 * GetUsers inside svc-feed); the gateway primes its media and users DataLoaders with them, so the page's
 * {@code MediaConnection.edges} and {@code Media.owner} cost no call. Every media of the page is primed, so all of
 * them resolve together and the next level still makes one call per batch RPC.
 */
@DgsComponent
public class FeedDataFetcher {

    private final FeedClient feed;

    public FeedDataFetcher(FeedClient feed) {
        this.feed = feed;
    }

    /** The signed-in viewer's home feed, newest first; UNAUTHENTICATED for anonymous requests. */
    @DgsQuery
    public CompletableFuture<MediaConnection> feed(@InputArgument Integer first, @InputArgument String after,
                                                   DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = ViewerContext.from(env);
        viewer.requireViewerId();
        final int limit = Arguments.first(first);
        return feed.homeFeed(viewer, limit, after).thenApply(page -> primed(env, page));
    }

    /** Popular media right now, most popular first; anonymous requests see it too. */
    @DgsQuery
    public CompletableFuture<MediaConnection> popular(@InputArgument Integer first, @InputArgument String after,
                                                      DgsDataFetchingEnvironment env) {
        final int limit = Arguments.first(first);
        return feed.popular(ViewerContext.from(env), limit, after).thenApply(page -> primed(env, page));
    }

    /** What happened to the signed-in viewer's things, newest first; UNAUTHENTICATED for anonymous requests. */
    @DgsQuery
    public CompletableFuture<ActivityConnection> activity(@InputArgument Integer first, @InputArgument String after,
                                                          DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = ViewerContext.from(env);
        viewer.requireViewerId();
        return feed.activity(viewer, Arguments.first(first), after);
    }

    /** The most recent actor; null when identity no longer shows them to the viewer. */
    @DgsData(parentType = "Activity", field = "actor")
    public CompletableFuture<User> actor(DgsDataFetchingEnvironment env) {
        final DataLoader<Long, User> users = env.getDataLoader(UserDataLoader.class);
        return users.load(env.<Activity>getSource().actorId());
    }

    /** The photo concerned (LIKE, COMMENT, MENTION); null for follows and for photos gone or no longer visible. */
    @DgsData(parentType = "Activity", field = "media")
    public CompletableFuture<Media> media(DgsDataFetchingEnvironment env) {
        final long mediaId = env.<Activity>getSource().mediaId();
        if (mediaId == 0) {
            return CompletableFuture.completedFuture(null);
        }
        final DataLoader<Long, Media> media = env.getDataLoader(MediaDataLoader.class);
        return media.load(mediaId);
    }

    private static MediaConnection primed(DgsDataFetchingEnvironment env, FeedClient.HydratedPage page) {
        final DataLoader<Long, Media> media = env.getDataLoader(MediaDataLoader.class);
        page.media().forEach(media::prime);
        final DataLoader<Long, User> users = env.getDataLoader(UserDataLoader.class);
        page.users().forEach(users::prime);
        return page.connection();
    }
}
