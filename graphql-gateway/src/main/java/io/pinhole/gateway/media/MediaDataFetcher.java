package io.pinhole.gateway.media;

import com.netflix.graphql.dgs.DgsComponent;
import com.netflix.graphql.dgs.DgsData;
import com.netflix.graphql.dgs.DgsDataFetchingEnvironment;
import com.netflix.graphql.dgs.DgsQuery;
import com.netflix.graphql.dgs.InputArgument;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.error.GatewayException;
import io.pinhole.gateway.model.Comment;
import io.pinhole.gateway.model.CommentConnection;
import io.pinhole.gateway.model.Media;
import io.pinhole.gateway.model.MediaConnection;
import io.pinhole.gateway.model.MediaEdge;
import io.pinhole.gateway.model.Tag;
import io.pinhole.gateway.model.User;
import io.pinhole.gateway.model.UserConnection;
import io.pinhole.gateway.schema.Arguments;
import io.pinhole.gateway.user.UserDataLoader;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.dataloader.DataLoader;

/**
 * Photos and what hangs off them: {@code Query.media}, {@code Query.tag}, the {@code Media} fields beyond svc-media's
 * record, {@code Comment.author}, {@code Tag.media}, {@code User.media}, and the edges of every
 * {@code MediaConnection}. Every reference goes through a DataLoader, so one query level makes one call per batch
 * RPC: GetMedia, GetUsers, GetViewerLikes, BatchListLikers, BatchListComments, BatchListUserMedia.
 */
@DgsComponent
public class MediaDataFetcher {

    private final MediaClient media;

    public MediaDataFetcher(MediaClient media) {
        this.media = media;
    }

    /** A photo by ID; null when it does not exist or the viewer may not see it. */
    @DgsQuery
    public CompletableFuture<Media> media(@InputArgument String id, DgsDataFetchingEnvironment env) {
        final long mediaId = Arguments.id(id, "id");
        final DataLoader<Long, Media> loader = env.getDataLoader(MediaDataLoader.class);
        return loader.load(mediaId);
    }

    /** A hashtag (a leading '#' is ignored, case-insensitive); null when no photo ever carried it. */
    @DgsQuery
    public CompletableFuture<Tag> tag(@InputArgument String name, DgsDataFetchingEnvironment env) {
        return media.getTag(ViewerContext.from(env), name);
    }

    /** The photos carrying a tag, newest first (ListTagMedia: tags are few per query, there is no batch RPC). */
    @DgsData(parentType = "Tag", field = "media")
    public CompletableFuture<MediaConnection> tagMedia(@InputArgument Integer first, @InputArgument String after,
                                                       DgsDataFetchingEnvironment env) {
        final Tag tag = env.getSource();
        return media.listTagMedia(ViewerContext.from(env), tag.name(), Arguments.first(first), after);
    }

    /**
     * A user's photos, newest first. The first page (no {@code after}) of every user at one level comes from one
     * BatchListUserMedia; a user it leaves out is asked again alone (ListUserMedia) for the exact answer: FORBIDDEN
     * for a private account the viewer does not follow, NOT_FOUND for one that blocks the viewer.
     */
    @DgsData(parentType = "User", field = "media")
    public CompletableFuture<MediaConnection> userMedia(@InputArgument Integer first, @InputArgument String after,
                                                        DgsDataFetchingEnvironment env) {
        final int limit = Arguments.first(first);
        final long userId = Long.parseLong(env.<User>getSource().id());
        final ViewerContext viewer = ViewerContext.from(env);
        if (after != null) {
            return media.listUserMedia(viewer, userId, limit, after);
        }
        final DataLoader<FirstPage, MediaConnection> pages = env.getDataLoader(UserMediaDataLoader.class);
        return pages.load(new FirstPage(userId, limit)).thenCompose(page -> page != null
                ? CompletableFuture.completedFuture(page) : media.listUserMedia(viewer, userId, limit, null));
    }

    /**
     * The edges of a page of media IDs, hydrated through {@link MediaDataLoader} (every connection of a level shares
     * one GetMedia). A media no longer visible (deleted since the page was read) is left out rather than failing the
     * page; every edge carries the page's cursor.
     */
    @DgsData(parentType = "MediaConnection", field = "edges")
    public CompletableFuture<List<MediaEdge>> edges(DgsDataFetchingEnvironment env) {
        final MediaConnection connection = env.getSource();
        final DataLoader<Long, Media> loader = env.getDataLoader(MediaDataLoader.class);
        return loader.loadMany(connection.mediaIds()).thenApply(found -> found.stream()
                .filter(Objects::nonNull)
                .map(media -> new MediaEdge(connection.cursor(), media))
                .toList());
    }

    /** Who posted it; null when identity no longer shows them to the viewer. */
    @DgsData(parentType = "Media", field = "owner")
    public CompletableFuture<User> owner(DgsDataFetchingEnvironment env) {
        final DataLoader<Long, User> users = env.getDataLoader(UserDataLoader.class);
        return users.load(env.<Media>getSource().ownerId());
    }

    /** Whether the viewer likes it: false for anonymous requests without asking; else one GetViewerLikes per level. */
    @DgsData(parentType = "Media", field = "viewerHasLiked")
    public CompletableFuture<Boolean> viewerHasLiked(DgsDataFetchingEnvironment env) {
        final OptionalLong viewerId = ViewerContext.from(env).viewerId();
        if (viewerId.isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        final DataLoader<Long, Boolean> likes = env.getDataLoader(ViewerLikesDataLoader.class);
        return likes.load(env.<Media>getSource().idValue()).thenApply(Boolean.TRUE::equals);
    }

    /**
     * Comments, oldest first. The first page comes from one BatchListComments per level; with {@code after},
     * ListComments. A media the batch leaves out is asked again alone (its NOT_FOUND is the answer).
     */
    @DgsData(parentType = "Media", field = "comments")
    public CompletableFuture<CommentConnection> comments(@InputArgument Integer first, @InputArgument String after,
                                                         DgsDataFetchingEnvironment env) {
        final int limit = Arguments.first(first);
        final long mediaId = env.<Media>getSource().idValue();
        final ViewerContext viewer = ViewerContext.from(env);
        if (after != null) {
            return media.listComments(viewer, mediaId, limit, after);
        }
        final DataLoader<FirstPage, CommentConnection> pages = env.getDataLoader(CommentsDataLoader.class);
        return pages.load(new FirstPage(mediaId, limit)).thenCompose(page -> page != null
                ? CompletableFuture.completedFuture(page) : media.listComments(viewer, mediaId, limit, null));
    }

    /**
     * Who likes it, most recent first; as {@link #comments} with BatchListLikers and ListLikers. The nodes are
     * hydrated by {@code UserConnection.edges} through the users DataLoader.
     */
    @DgsData(parentType = "Media", field = "likers")
    public CompletableFuture<UserConnection> likers(@InputArgument Integer first, @InputArgument String after,
                                                    DgsDataFetchingEnvironment env) {
        final int limit = Arguments.first(first);
        final long mediaId = env.<Media>getSource().idValue();
        final ViewerContext viewer = ViewerContext.from(env);
        if (after != null) {
            return media.listLikers(viewer, mediaId, limit, after);
        }
        final DataLoader<FirstPage, UserConnection> pages = env.getDataLoader(LikersDataLoader.class);
        return pages.load(new FirstPage(mediaId, limit)).thenCompose(page -> page != null
                ? CompletableFuture.completedFuture(page) : media.listLikers(viewer, mediaId, limit, null));
    }

    /** Who wrote it; null when identity no longer shows them to the viewer. */
    @DgsData(parentType = "Comment", field = "author")
    public CompletableFuture<User> author(DgsDataFetchingEnvironment env) {
        final DataLoader<Long, User> users = env.getDataLoader(UserDataLoader.class);
        return users.load(env.<Comment>getSource().authorId());
    }
}
