package io.pinhole.gateway.media;

import static io.pinhole.gateway.client.Grpc.count;
import static io.pinhole.gateway.client.Grpc.dateTime;
import static io.pinhole.gateway.client.Grpc.emptyToNull;
import static io.pinhole.gateway.client.Grpc.page;
import static io.pinhole.gateway.client.Grpc.toCompletable;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.client.Grpc;
import io.pinhole.gateway.config.GatewaySettings;
import io.pinhole.gateway.error.ErrorCode;
import io.pinhole.gateway.error.GatewayException;
import io.pinhole.gateway.model.Comment;
import io.pinhole.gateway.model.CommentConnection;
import io.pinhole.gateway.model.Images;
import io.pinhole.gateway.model.Media;
import io.pinhole.gateway.model.MediaConnection;
import io.pinhole.gateway.model.PageInfo;
import io.pinhole.gateway.model.Tag;
import io.pinhole.gateway.model.UserConnection;
import io.pinhole.media.v1.AddCommentRequest;
import io.pinhole.media.v1.BatchListCommentsRequest;
import io.pinhole.media.v1.BatchListLikersRequest;
import io.pinhole.media.v1.BatchListUserMediaRequest;
import io.pinhole.media.v1.CommentOrder;
import io.pinhole.media.v1.DeleteCommentRequest;
import io.pinhole.media.v1.DeleteMediaRequest;
import io.pinhole.media.v1.GetMediaRequest;
import io.pinhole.media.v1.GetTagRequest;
import io.pinhole.media.v1.GetViewerLikesRequest;
import io.pinhole.media.v1.LikeRequest;
import io.pinhole.media.v1.ListCommentsRequest;
import io.pinhole.media.v1.ListLikersRequest;
import io.pinhole.media.v1.ListTagMediaRequest;
import io.pinhole.media.v1.ListUserMediaRequest;
import io.pinhole.media.v1.MediaServiceGrpc;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceFutureStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.media.v1.UnlikeRequest;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.media.v1.UploadMediaRequest;
import io.pinhole.media.v1.UploadMediaResponse;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.stereotype.Component;

/**
 * svc-media as the gateway uses it, through the one stub of {@code GatewayConfiguration} (deadline, circuit breaker
 * {@code svc-media}); every call goes as the viewer ({@link ViewerContext#stub}). Asynchronous but for
 * {@link #upload}, which sends the file from the calling thread.
 */
@Component
public class MediaClient {

    /** Every batch RPC of svc-media takes at most this many IDs (media.proto). */
    public static final int MAX_BATCH = 100;
    /** Bytes per UploadMedia chunk: well under the contract's 1 MiB per message. */
    static final int CHUNK = 256 * 1024;

    private final MediaServiceStub streaming;
    private final MediaServiceFutureStub stub;
    private final Duration uploadDeadline;

    public MediaClient(MediaServiceStub mediaStub, GatewaySettings settings) {
        this.streaming = requireNonNull(mediaStub, "mediaStub");
        // The same channel, hence the same interceptors: deadline, viewer propagation, the one circuit breaker.
        this.stub = MediaServiceGrpc.newFutureStub(mediaStub.getChannel());
        this.uploadDeadline = settings.uploadDeadline();
    }

    /** Media by ID (at most {@value #MAX_BATCH}) as the viewer may see them; unknown, deleted, invisible absent. */
    public CompletableFuture<Map<Long, Media>> getMedia(ViewerContext viewer, Set<Long> ids) {
        final var request = GetMediaRequest.newBuilder().addAllMediaIds(ids).build();
        return toCompletable(viewer.stub(stub).getMedia(request)).thenApply(response -> {
            final Map<Long, Media> media = new HashMap<>();
            response.getMediaMap().forEach((id, found) -> media.put(id, toGraphQl(found)));
            return media;
        });
    }

    /** Which of {@code ids} (at most {@value #MAX_BATCH}) the signed-in viewer likes. */
    public CompletableFuture<Set<Long>> getViewerLikes(ViewerContext viewer, Set<Long> ids) {
        final var request = GetViewerLikesRequest.newBuilder().addAllMediaIds(ids).build();
        return toCompletable(viewer.stub(stub).getViewerLikes(request))
                .thenApply(response -> Set.copyOf(response.getLikedMediaIdsList()));
    }

    /** The first page of likers of each of {@code mediaIds}; media unknown or invisible to the viewer are absent. */
    public CompletableFuture<Map<Long, UserConnection>> batchListLikers(ViewerContext viewer, Set<Long> mediaIds,
                                                                        int limit) {
        final var request = BatchListLikersRequest.newBuilder().addAllMediaIds(mediaIds).setLimitPerMedia(limit).build();
        return toCompletable(viewer.stub(stub).batchListLikers(request)).thenApply(response -> {
            final Map<Long, UserConnection> pages = new HashMap<>();
            response.getPagesMap().forEach((id, page) -> pages.put(id, users(page.getUserIdsList(),
                                                                              page.getPage().getNextCursor())));
            return pages;
        });
    }

    /** One page of a media's likers, most recent first. */
    public CompletableFuture<UserConnection> listLikers(ViewerContext viewer, long mediaId, int limit, String cursor) {
        final var request = ListLikersRequest.newBuilder().setMediaId(mediaId).setPage(page(limit, cursor)).build();
        return toCompletable(viewer.stub(stub).listLikers(request))
                .thenApply(response -> users(response.getUserIdsList(), response.getPage().getNextCursor()));
    }

    /** The first page of comments (oldest first) of each of {@code mediaIds}; invisible media absent. */
    public CompletableFuture<Map<Long, CommentConnection>> batchListComments(ViewerContext viewer, Set<Long> mediaIds,
                                                                             int limit) {
        final var request = BatchListCommentsRequest.newBuilder().addAllMediaIds(mediaIds).setLimitPerMedia(limit)
                                                    .setOrder(CommentOrder.COMMENT_ORDER_OLDEST_FIRST).build();
        return toCompletable(viewer.stub(stub).batchListComments(request)).thenApply(response -> {
            final Map<Long, CommentConnection> pages = new HashMap<>();
            response.getPagesMap().forEach((id, page) -> pages.put(id, CommentConnection.of(
                    page.getCommentsList().stream().map(MediaClient::toGraphQl).toList(), page.getPage().getNextCursor())));
            return pages;
        });
    }

    /** One page of a media's comments, oldest first. */
    public CompletableFuture<CommentConnection> listComments(ViewerContext viewer, long mediaId, int limit,
                                                             String cursor) {
        final var request = ListCommentsRequest.newBuilder().setMediaId(mediaId).setPage(page(limit, cursor))
                                               .setOrder(CommentOrder.COMMENT_ORDER_OLDEST_FIRST).build();
        return toCompletable(viewer.stub(stub).listComments(request)).thenApply(response -> CommentConnection.of(
                response.getCommentsList().stream().map(MediaClient::toGraphQl).toList(),
                response.getPage().getNextCursor()));
    }

    /** The first page of each of {@code userIds}' media; users unknown, blocking or private to the viewer absent. */
    public CompletableFuture<Map<Long, MediaConnection>> batchListUserMedia(ViewerContext viewer, Set<Long> userIds,
                                                                            int limit) {
        final var request = BatchListUserMediaRequest.newBuilder().addAllUserIds(userIds).setLimitPerUser(limit).build();
        return toCompletable(viewer.stub(stub).batchListUserMedia(request)).thenApply(response -> {
            final Map<Long, MediaConnection> pages = new HashMap<>();
            response.getPagesMap().forEach((id, page) -> pages.put(id, MediaConnection.of(
                    page.getMediaIdsList(), page.getPage().getNextCursor())));
            return pages;
        });
    }

    /** One page of a user's media, newest first. */
    public CompletableFuture<MediaConnection> listUserMedia(ViewerContext viewer, long userId, int limit,
                                                            String cursor) {
        final var request = ListUserMediaRequest.newBuilder().setUserId(userId).setPage(page(limit, cursor)).build();
        return toCompletable(viewer.stub(stub).listUserMedia(request))
                .thenApply(response -> MediaConnection.of(response.getMediaIdsList(), response.getPage().getNextCursor()));
    }

    /** A hashtag; null when no media ever carried it. */
    public CompletableFuture<Tag> getTag(ViewerContext viewer, String name) {
        return toCompletable(viewer.stub(stub).getTag(GetTagRequest.newBuilder().setName(name).build()))
                .handle((response, failure) -> {
                    if (failure == null) {
                        return new Tag(response.getName(), count(response.getMediaCount()));
                    }
                    if (Grpc.hasStatus(failure, Status.Code.NOT_FOUND)) {
                        return null;
                    }
                    throw failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
                });
    }

    /** One page of the media carrying a hashtag, newest first. */
    public CompletableFuture<MediaConnection> listTagMedia(ViewerContext viewer, String name, int limit, String cursor) {
        final var request = ListTagMediaRequest.newBuilder().setName(name).setPage(page(limit, cursor)).build();
        return toCompletable(viewer.stub(stub).listTagMedia(request))
                .thenApply(response -> MediaConnection.of(response.getMediaIdsList(), response.getPage().getNextCursor()));
    }

    /** The viewer likes a media; the media after the like. */
    public CompletableFuture<Media> like(ViewerContext viewer, long mediaId) {
        return toCompletable(viewer.stub(stub).like(LikeRequest.newBuilder().setMediaId(mediaId).build()))
                .thenApply(response -> toGraphQl(response.getMedia()));
    }

    /** The viewer removes their like; the media after it. */
    public CompletableFuture<Media> unlike(ViewerContext viewer, long mediaId) {
        return toCompletable(viewer.stub(stub).unlike(UnlikeRequest.newBuilder().setMediaId(mediaId).build()))
                .thenApply(response -> toGraphQl(response.getMedia()));
    }

    /** Deletes one of the viewer's media; false when it was already deleted. */
    public CompletableFuture<Boolean> deleteMedia(ViewerContext viewer, long mediaId) {
        return toCompletable(viewer.stub(stub).deleteMedia(DeleteMediaRequest.newBuilder().setMediaId(mediaId).build()))
                .thenApply(response -> response.getDeleted());
    }

    /** Comments as the viewer. */
    public CompletableFuture<Comment> addComment(ViewerContext viewer, long mediaId, String text) {
        final var request = AddCommentRequest.newBuilder().setMediaId(mediaId).setText(text).build();
        return toCompletable(viewer.stub(stub).addComment(request)).thenApply(response -> toGraphQl(response.getComment()));
    }

    /** Deletes a comment; false when it was already deleted. */
    public CompletableFuture<Boolean> deleteComment(ViewerContext viewer, long commentId) {
        final var request = DeleteCommentRequest.newBuilder().setCommentId(commentId).build();
        return toCompletable(viewer.stub(stub).deleteComment(request)).thenApply(response -> response.getDeleted());
    }

    /**
     * Posts a photo: streams {@code header} then {@code file} in chunks of {@value #CHUNK} bytes to UploadMedia, as
     * the viewer. The file is read on the calling thread, one chunk at a time, and a chunk is sent only when the
     * call is ready for more (gRPC flow control), so at most a chunk or two of the file are in memory whatever its
     * size. Reading stops as soon as svc-media has answered (it refuses a bad header, an unsupported type or a file
     * over its limit without waiting for the rest). The returned future completes with the posted media or
     * svc-media's refusal.
     */
    public CompletableFuture<Media> upload(ViewerContext viewer, UploadHeader header, InputStream file) {
        final CompletableFuture<Media> posted = new CompletableFuture<>();
        final ReentrantLock lock = new ReentrantLock();
        final Condition readyOrDone = lock.newCondition();
        final Runnable signal = () -> {
            lock.lock();
            try {
                readyOrDone.signalAll();
            } finally {
                lock.unlock();
            }
        };
        final ClientResponseObserver<UploadMediaRequest, UploadMediaResponse> responses = new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<UploadMediaRequest> requests) {
                requests.setOnReadyHandler(signal);
            }

            @Override
            public void onNext(UploadMediaResponse response) {
                posted.complete(toGraphQl(response.getMedia()));
                signal.run();
            }

            @Override
            public void onError(Throwable failure) {
                posted.completeExceptionally(failure);
                signal.run();
            }

            @Override
            public void onCompleted() {
                posted.completeExceptionally(new IllegalStateException("UploadMedia completed without an answer"));
                signal.run();
            }
        };
        final long deadline = System.nanoTime() + uploadDeadline.toNanos();
        final var requests = (ClientCallStreamObserver<UploadMediaRequest>) viewer.stub(streaming)
                .withDeadlineAfter(uploadDeadline.toNanos(), TimeUnit.NANOSECONDS)
                .uploadMedia(responses);
        try {
            requests.onNext(UploadMediaRequest.newBuilder().setHeader(header).build());
            final byte[] buffer = new byte[CHUNK];
            int read;
            while (!posted.isDone() && (read = file.readNBytes(buffer, 0, CHUNK)) > 0) {
                awaitReady(requests, posted, lock, readyOrDone, deadline);
                if (posted.isDone()) {
                    break;
                }
                requests.onNext(UploadMediaRequest.newBuilder().setChunk(ByteString.copyFrom(buffer, 0, read)).build());
            }
            if (!posted.isDone()) {
                requests.onCompleted();
            }
        } catch (IOException e) {
            requests.onError(Status.CANCELLED.withDescription("the gateway could not read the upload").asRuntimeException());
            posted.completeExceptionally(new GatewayException(ErrorCode.BAD_USER_INPUT, "file could not be read"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requests.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
            posted.completeExceptionally(new GatewayException(ErrorCode.UNAVAILABLE, "interrupted while uploading"));
        }
        return posted;
    }

    /** Waits until the call accepts another message, svc-media has answered, or the upload's deadline passed. */
    private static void awaitReady(ClientCallStreamObserver<UploadMediaRequest> requests, CompletableFuture<Media> posted,
                                   ReentrantLock lock, Condition readyOrDone, long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (!requests.isReady() && !posted.isDone()) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    // The call's own deadline fails it at the same moment; never send on without flow control.
                    posted.completeExceptionally(Status.DEADLINE_EXCEEDED
                            .withDescription("svc-media did not take the upload in time").asRuntimeException());
                    requests.cancel("upload deadline passed", null);
                    return;
                }
                readyOrDone.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private static UserConnection users(java.util.List<Long> userIds, String nextCursor) {
        return new UserConnection(userIds, nextCursor, PageInfo.ofNextCursor(nextCursor));
    }

    /** svc-media's record as the GraphQL {@code Media}. */
    public static Media toGraphQl(io.pinhole.media.v1.Media media) {
        final var images = media.getImages();
        return new Media(Long.toString(media.getId()), media.getOwnerId(), emptyToNull(media.getCaption()),
                         new Images(image(images.getThumbnail()), image(images.getLow()), image(images.getStandard())),
                         media.hasLocation() ? new Media.PostedLocation(media.getLocation().getName(),
                                 media.getLocation().getLat(), media.getLocation().getLng()) : null,
                         media.getTagsList(), dateTime(media.getCreatedAt()), count(media.getLikeCount()),
                         count(media.getCommentCount()));
    }

    static Comment toGraphQl(io.pinhole.media.v1.Comment comment) {
        return new Comment(Long.toString(comment.getId()), comment.getText(), comment.getAuthorId(),
                           dateTime(comment.getCreatedAt()));
    }

    private static Images.Image image(io.pinhole.media.v1.Image image) {
        return new Images.Image(image.getUrl(), image.getWidth(), image.getHeight());
    }
}
