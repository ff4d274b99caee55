package io.pinhole.gateway.media;

import com.netflix.graphql.dgs.DgsComponent;
import com.netflix.graphql.dgs.DgsDataFetchingEnvironment;
import com.netflix.graphql.dgs.DgsMutation;
import com.netflix.graphql.dgs.InputArgument;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.error.GatewayException;
import io.pinhole.gateway.model.Comment;
import io.pinhole.gateway.model.Media;
import io.pinhole.gateway.schema.Arguments;
import io.pinhole.media.v1.Location;
import io.pinhole.media.v1.UploadHeader;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.web.multipart.MultipartFile;

/**
 * Posting and reacting: {@code uploadMedia}, {@code deleteMedia}, {@code like}, {@code unlike}, {@code addComment},
 * {@code deleteComment}. Each needs a signed-in viewer (UNAUTHENTICATED before any call otherwise) and checks its IDs
 * (BAD_USER_INPUT naming the argument); svc-media's answers map as usual: NOT_FOUND for unknown or invisible media
 * and comments, FORBIDDEN for someone else's media or comment, BAD_USER_INPUT with the field for bad input.
 */
@DgsComponent
public class MediaMutations {

    private final MediaClient media;

    public MediaMutations(MediaClient media) {
        this.media = media;
    }

    /**
     * Posts a photo sent as the {@code file} part of a GraphQL multipart request. The servlet container has spooled
     * the part to disk (never above the upload limit: larger requests are refused before they reach here); it is
     * streamed to svc-media's UploadMedia from there, a chunk at a time. svc-media sniffs the type and checks the
     * size, caption and location; its refusals are BAD_USER_INPUT naming {@code file}, {@code caption} or
     * {@code location.lat}/{@code location.lng}/{@code location.name}.
     */
    @DgsMutation
    public CompletableFuture<Media> uploadMedia(@InputArgument("file") MultipartFile file, @InputArgument String caption,
                                                DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = signedIn(env);
        if (file == null) {
            throw GatewayException.badArgument("file", "must be a file part of a multipart request");
        }
        final UploadHeader.Builder header = UploadHeader.newBuilder();
        if (caption != null) {
            header.setCaption(caption);
        }
        if (env.getArgument("location") instanceof Map<?, ?> location) {
            final Location.Builder where = Location.newBuilder();
            if (location.get("name") instanceof String name) {
                where.setName(name);
            }
            if (location.get("lat") instanceof Number lat) {
                where.setLat(lat.doubleValue());
            }
            if (location.get("lng") instanceof Number lng) {
                where.setLng(lng.doubleValue());
            }
            header.setLocation(where);
        }
        if (file.getContentType() != null) {
            header.setDeclaredContentType(file.getContentType());
        }
        try (InputStream bytes = file.getInputStream()) {
            return media.upload(viewer, header.build(), bytes);
        } catch (IOException e) {
            throw GatewayException.badArgument("file", "could not be read");
        }
    }

    /** Deletes one of the viewer's photos: true when this call deleted it, false when it was already deleted. */
    @DgsMutation
    public CompletableFuture<Boolean> deleteMedia(@InputArgument String id, DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = signedIn(env);
        return media.deleteMedia(viewer, Arguments.id(id, "id"));
    }

    /** Likes a photo (idempotent); the photo after the like, {@code viewerHasLiked} true without another call. */
    @DgsMutation
    public CompletableFuture<Media> like(@InputArgument String mediaId, DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = signedIn(env);
        final long id = Arguments.id(mediaId, "mediaId");
        return media.like(viewer, id).thenApply(liked -> primeViewerLike(env, liked, true));
    }

    /** Removes the viewer's like (idempotent); the photo after it. */
    @DgsMutation
    public CompletableFuture<Media> unlike(@InputArgument String mediaId, DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = signedIn(env);
        final long id = Arguments.id(mediaId, "mediaId");
        return media.unlike(viewer, id).thenApply(unliked -> primeViewerLike(env, unliked, false));
    }

    /** Comments on a photo; the stored comment. */
    @DgsMutation
    public CompletableFuture<Comment> addComment(@InputArgument String mediaId, @InputArgument String text,
                                                 DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = signedIn(env);
        return media.addComment(viewer, Arguments.id(mediaId, "mediaId"), text);
    }

    /** Deletes a comment the viewer wrote or one on the viewer's photo: true when this call deleted it. */
    @DgsMutation
    public CompletableFuture<Boolean> deleteComment(@InputArgument String id, DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = signedIn(env);
        return media.deleteComment(viewer, Arguments.id(id, "id"));
    }

    private static Media primeViewerLike(DgsDataFetchingEnvironment env, Media media, boolean liked) {
        env.<Long, Boolean>getDataLoader(ViewerLikesDataLoader.NAME).prime(media.idValue(), liked);
        return media;
    }

    private static ViewerContext signedIn(DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = ViewerContext.from(env);
        viewer.requireViewerId();
        return viewer;
    }
}
