package io.pinhole.media;

import io.grpc.stub.StreamObserver;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.common.v1.PageResponse;
import io.pinhole.identity.v1.GetUsersByUsernameRequest;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.User;
import io.pinhole.media.image.ImageIntake;
import io.pinhole.media.image.ImageRejectedException;
import io.pinhole.media.image.ProcessedImage;
import io.pinhole.media.image.RenditionKind;
import io.pinhole.media.storage.MediaStorage;
import io.pinhole.media.storage.PresignedUpload;
import io.pinhole.media.storage.StorageKeys;
import io.pinhole.media.v1.*;
import io.pinhole.platform.error.PinholeException;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.page.Pages;
import io.pinhole.platform.server.Viewer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code pinhole.media.v1.MediaService}: request checks, the viewer and visibility here; SQL in {@link MediaStore},
 * caching in {@link MediaCache}, images in {@code image/}, S3 in {@code storage/}.
 */
final class MediaService extends MediaServiceGrpc.MediaServiceImplBase {

    private static final int MAX_BATCH = 100;
    private static final int MAX_CHUNK = 1024 * 1024;
    private static final int MAX_CAPTION = 2200;
    private static final int MAX_COMMENT = 1000;
    private static final int MAX_LOCATION_NAME = 100;

    private final MediaStore store;
    private final MediaCache cache;
    private final MediaStorage storage;
    private final ImageIntake intake;
    private final Visibility visibility;
    private final IdentityServiceBlockingStub identity;
    private final Executor background;
    private final RenditionUrls urls;

    MediaService(MediaStore store, MediaCache cache, MediaStorage storage, ImageIntake intake,
                 IdentityServiceBlockingStub identity, Executor background) {
        this.store = store;
        this.cache = cache;
        this.storage = storage;
        this.intake = intake;
        this.visibility = new Visibility(identity);
        this.identity = identity;
        this.background = background;
        this.urls = new RenditionUrls(storage, 100_000);
    }

    // ================================================================ uploads

    @Override
    public StreamObserver<UploadMediaRequest> uploadMedia(StreamObserver<UploadMediaResponse> responses) {
        final OptionalLong viewer = Viewer.current();
        return new StreamObserver<>() {
            private UploadHeader header;
            private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            private boolean failed;

            @Override
            public void onNext(UploadMediaRequest part) {
                if (failed) {
                    return;
                }
                try {
                    if (viewer.isEmpty()) {
                        throw PinholeException.unauthenticated("uploading needs a signed-in user");
                    }
                    if (part.hasHeader()) {
                        if (header != null || bytes.size() > 0) {
                            throw PinholeException.invalidArgument("header", "only the first message may be the header");
                        }
                        header = part.getHeader();
                        checkHeader(header, "header");
                    } else {
                        if (header == null) {
                            throw PinholeException.invalidArgument("header", "the first message must be the header");
                        }
                        final int size = part.getChunk().size();
                        if (size == 0 || size > MAX_CHUNK) {
                            throw PinholeException.invalidArgument("chunk", "chunks hold 1 byte to 1 MiB");
                        }
                        if (bytes.size() + (long) size > intake.limits().maxBytes()) {
                            throw PinholeException.invalidArgument("chunk", "the file is larger than "
                                    + intake.limits().maxBytes() + " bytes");
                        }
                        part.getChunk().writeTo(bytes);
                    }
                } catch (PinholeException | IOException e) {
                    fail(e);
                }
            }

            @Override
            public void onError(Throwable cause) {
                failed = true; // the client went away: nothing was posted
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                try {
                    if (header == null) {
                        throw PinholeException.invalidArgument("header", "the first message must be the header");
                    }
                    if (bytes.size() == 0) {
                        throw PinholeException.invalidArgument("chunk", "no image bytes");
                    }
                    final ProcessedImage image = process(() -> intake.process(bytes.toByteArray()), "chunk");
                    responses.onNext(UploadMediaResponse.newBuilder()
                            .setMedia(post(viewer.getAsLong(), header, image, null)).build());
                    responses.onCompleted();
                } catch (RuntimeException e) {
                    fail(e);
                }
            }

            private void fail(Exception error) {
                failed = true;
                responses.onError(error);
            }
        };
    }

    @Override
    public void createUploadUrl(CreateUploadUrlRequest request, StreamObserver<CreateUploadUrlResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            if (request.getSizeBytes() <= 0 || request.getSizeBytes() > intake.limits().maxBytes()) {
                throw PinholeException.invalidArgument("size_bytes", "1 to " + intake.limits().maxBytes() + " bytes");
            }
            // The upload ID names its viewer, so CompleteUpload can tell whose it is without storing anything.
            final String uploadId = viewer + "-" + UUID.randomUUID().toString().replace("-", "");
            final PresignedUpload upload = storage.createUploadUrl(uploadId, request.getSizeBytes());
            return CreateUploadUrlResponse.newBuilder().setUploadId(uploadId).setUrl(upload.url().toString())
                    .putAllHeaders(upload.headers()).setExpiresAt(MediaRow.timestamp(upload.expiresAt())).build();
        });
    }

    @Override
    public void completeUpload(CompleteUploadRequest request, StreamObserver<CompleteUploadResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final String uploadId = request.getUploadId();
            if (!StorageKeys.isValidUploadId(uploadId) || !uploadId.startsWith(viewer + "-")) {
                throw PinholeException.notFound("no upload " + uploadId + " of yours");
            }
            checkHeader(request.getHeader(), "header");
            final MediaRow done = store.inShardOf(viewer, mapper -> mapper.mediaOfUpload(MediaStore.schemaOf(viewer), uploadId));
            if (done != null) {
                return CompleteUploadResponse.newBuilder().setMedia(withUrls(done.toMedia())).build();
            }
            final InputStream uploaded = storage.openUpload(uploadId)
                    .orElseThrow(() -> PinholeException.notFound("nothing was uploaded for " + uploadId));
            final ProcessedImage image;
            try (uploaded) {
                image = process(() -> intake.process(uploaded), "upload_id");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (PinholeException e) {
                storage.deleteUpload(uploadId);
                throw e;
            }
            final Media media = post(viewer, request.getHeader(), image, uploadId);
            storage.deleteUpload(uploadId);
            return CompleteUploadResponse.newBuilder().setMedia(media).build();
        });
    }

    @FunctionalInterface
    private interface Intake {
        ProcessedImage run() throws ImageRejectedException, IOException;
    }

    private static ProcessedImage process(Intake intake, String field) {
        try {
            return intake.run();
        } catch (ImageRejectedException e) {
            throw PinholeException.invalidArgument(field, e.getMessage());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void checkHeader(UploadHeader header, String prefix) {
        final Captions.Parsed caption = Captions.parse(header.getCaption());
        final Location location = header.getLocation();
        PinholeException.invalidArguments()
                .addIf(length(header.getCaption()) > MAX_CAPTION, prefix + ".caption", "at most 2,200 characters")
                .addIf(caption.tags().size() > Captions.MAX_TAGS, prefix + ".caption", "at most 30 hashtags")
                .addIf(header.hasLocation() && !(location.getLat() >= -90 && location.getLat() <= 90),
                       prefix + ".location.lat", "between -90 and 90")
                .addIf(header.hasLocation() && !(location.getLng() >= -180 && location.getLng() <= 180),
                       prefix + ".location.lng", "between -180 and 180")
                .addIf(header.hasLocation() && length(location.getName()) > MAX_LOCATION_NAME,
                       prefix + ".location.name", "at most 100 characters")
                .throwIfAny();
    }

    /** Stores the renditions and the original, then the row and its event; returns the media with URLs. */
    private Media post(long viewer, UploadHeader header, ProcessedImage image, String uploadId) {
        final Map<Long, User> owner = Viewer.as(identity, viewer)
                .getUsers(GetUsersRequest.newBuilder().addUserIds(viewer).build()).getUsersMap();
        if (!owner.containsKey(viewer)) {
            throw PinholeException.notFound("the viewer's account does not exist");
        }
        final Captions.Parsed caption = Captions.parse(header.getCaption());
        final MediaRow media = new MediaRow();
        media.id = store.newMediaId(viewer);
        media.ownerId = viewer;
        media.caption = header.getCaption();
        if (header.hasLocation()) {
            media.locationName = header.getLocation().getName();
            media.lat = header.getLocation().getLat();
            media.lng = header.getLocation().getLng();
        }
        media.tags = caption.tags().toArray(String[]::new);
        media.mentionedUserIds = resolveMentions(viewer, caption.mentions()).toArray(Long[]::new);
        media.lowWidth = image.rendition(RenditionKind.LOW).width();
        media.lowHeight = image.rendition(RenditionKind.LOW).height();
        media.standardWidth = image.rendition(RenditionKind.STANDARD).width();
        media.standardHeight = image.rendition(RenditionKind.STANDARD).height();
        media.uploadId = uploadId;
        // S3 first: a row never points at missing objects. A crash here leaves objects without a row (garbage).
        storage.putImage(media.id, image);
        final MediaRow stored = store.post(media, header.getShareToList(), owner.get(viewer).getIsPrivate());
        return withUrls(stored.toMedia());
    }

    /** IDs of the mentioned usernames that exist and are visible to the author, in order of first mention. */
    private List<Long> resolveMentions(long author, List<String> usernames) {
        if (usernames.isEmpty()) {
            return List.of();
        }
        final List<String> asked = usernames.subList(0, Math.min(usernames.size(), MAX_BATCH));
        final Map<String, User> found = Viewer.as(identity, author).getUsersByUsername(
                GetUsersByUsernameRequest.newBuilder().addAllUsernames(asked).build()).getUsersMap();
        return asked.stream().map(found::get).filter(java.util.Objects::nonNull).map(User::getId).toList();
    }

    // ================================================================ media

    @Override
    public void getMedia(GetMediaRequest request, StreamObserver<GetMediaResponse> responses) {
        answer(responses, () -> {
            requireBatch("media_ids", request.getMediaIdsCount());
            final Map<Long, MediaCache.Stored> stored = stored(request.getMediaIdsList());
            final GetMediaResponse.Builder response = GetMediaResponse.newBuilder();
            stored.forEach((id, media) -> {
                if (media.deleted()) {
                    response.addDeletedMediaIds(id);
                }
            });
            visible(Viewer.current(), stored).forEach((id, media) -> response.putMedia(id, withUrls(media)));
            return response.build();
        });
    }

    @Override
    public void deleteMedia(DeleteMediaRequest request, StreamObserver<DeleteMediaResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final long mediaId = requireId("media_id", request.getMediaId());
            final MediaCache.Stored media = stored(List.of(mediaId)).get(mediaId);
            if (media == null || !visibility.visibleOwners(OptionalLong.of(viewer), List.of(media.media().getOwnerId()))
                                            .contains(media.media().getOwnerId())) {
                throw PinholeException.notFound("no media " + mediaId);
            }
            if (media.media().getOwnerId() != viewer) {
                throw PinholeException.permissionDenied("only its owner may delete a media");
            }
            final boolean deleted = store.delete(mediaId);
            cache.written(mediaId);
            if (deleted) {
                // The row is what every read checks; the objects can go a moment later, off the request.
                background.execute(() -> storage.deleteMedia(mediaId));
            }
            return DeleteMediaResponse.newBuilder().setDeleted(deleted).build();
        });
    }

    @Override
    public void listUserMedia(ListUserMediaRequest request, StreamObserver<ListUserMediaResponse> responses) {
        answer(responses, () -> {
            final long userId = requireId("user_id", request.getUserId());
            final int limit = Pages.limit(request.getPage());
            final long before = Pages.decode(request.getPage(), 1).map(parts -> parts[0]).orElse(0L);
            requireAccess(Viewer.current(), userId);
            final List<Long> ids = store.inShardOf(userId, mapper -> mapper.ownerMediaIds(MediaStore.schemaOf(userId), userId, before, limit));
            return ListUserMediaResponse.newBuilder().addAllMediaIds(ids).setPage(nextPage(ids, limit)).build();
        });
    }

    @Override
    public void batchListUserMedia(BatchListUserMediaRequest request, StreamObserver<BatchListUserMediaResponse> responses) {
        answer(responses, () -> {
            requireBatch("user_ids", request.getUserIdsCount());
            final int limit = perItemLimit("limit_per_user", request.getLimitPerUser());
            final Set<Long> owners = visibility.visibleOwners(Viewer.current(),
                    request.getUserIdsList().stream().filter(store::isPossibleId).distinct().toList());
            final Map<Long, List<Long>> byOwner = new HashMap<>();
            for (MediaRow row : store.perServer(owners, (mapper, bySchema) -> mapper.recentMedia(bySchema, 0, limit))) {
                byOwner.computeIfAbsent(row.ownerId, owner -> new ArrayList<>()).add(row.id);
            }
            final BatchListUserMediaResponse.Builder response = BatchListUserMediaResponse.newBuilder();
            for (long owner : owners) {
                final List<Long> ids = byOwner.getOrDefault(owner, List.of()).stream().sorted(Comparator.reverseOrder()).toList();
                response.putPages(owner, MediaIdPage.newBuilder().addAllMediaIds(ids).setPage(nextPage(ids, limit)).build());
            }
            return response.build();
        });
    }

    @Override
    public void listRecentMediaIds(ListRecentMediaIdsRequest request, StreamObserver<ListRecentMediaIdsResponse> responses) {
        answer(responses, () -> {
            PinholeException.invalidArguments()
                    .addIf(request.getOwnerIdsCount() > 1000, "owner_ids", "at most 1,000")
                    .addIf(request.getLimitPerOwner() < 0 || request.getLimitPerOwner() > 800, "limit_per_owner", "0–800")
                    .addIf(request.getLimit() < 0 || request.getLimit() > 1000, "limit", "0–1,000")
                    .throwIfAny();
            final int perOwner = request.getLimitPerOwner() == 0 ? 50 : request.getLimitPerOwner();
            final int limit = request.getLimit() == 0 ? 800 : request.getLimit();
            final long after = request.hasSince() ? PinholeIds.encode(Math.max(PinholeIds.EPOCH_MILLIS,
                    request.getSince().getSeconds() * 1000 + request.getSince().getNanos() / 1_000_000),
                    PinholeIds.MAX_LOGICAL_SHARDS - 1, PinholeIds.SEQUENCES_PER_MILLISECOND - 1) : 0;
            final List<Long> ids = store.perServer(request.getOwnerIdsList().stream().distinct().toList(),
                            (mapper, bySchema) -> mapper.recentMedia(bySchema, after, perOwner))
                    .stream().map(row -> row.id).sorted(Comparator.reverseOrder()).limit(limit).toList();
            return ListRecentMediaIdsResponse.newBuilder().addAllMediaIds(ids).build();
        });
    }

    // ================================================================ likes

    @Override
    public void like(LikeRequest request, StreamObserver<LikeResponse> responses) {
        answer(responses, () -> LikeResponse.newBuilder().setMedia(like(request.getMediaId(), true)).build());
    }

    @Override
    public void unlike(UnlikeRequest request, StreamObserver<UnlikeResponse> responses) {
        answer(responses, () -> UnlikeResponse.newBuilder().setMedia(like(request.getMediaId(), false)).build());
    }

    private Media like(long mediaId, boolean like) {
        final long viewer = Viewer.require();
        requireVisible(OptionalLong.of(viewer), requireId("media_id", mediaId));
        final MediaRow after = store.like(mediaId, viewer, like);
        cache.written(mediaId);
        return withUrls(after.toMedia());
    }

    @Override
    public void getViewerLikes(GetViewerLikesRequest request, StreamObserver<GetViewerLikesResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            requireBatch("media_ids", request.getMediaIdsCount());
            final List<Long> liked = store.perServer(request.getMediaIdsList().stream().distinct().toList(),
                    (mapper, bySchema) -> mapper.likedAmong(bySchema, viewer));
            return GetViewerLikesResponse.newBuilder().addAllLikedMediaIds(liked).build();
        });
    }

    @Override
    public void listLikers(ListLikersRequest request, StreamObserver<ListLikersResponse> responses) {
        answer(responses, () -> {
            final long mediaId = requireId("media_id", request.getMediaId());
            final int limit = Pages.limit(request.getPage());
            final Optional<long[]> after = Pages.decode(request.getPage(), 2);
            requireVisible(Viewer.current(), mediaId);
            final List<LikeRow> likes = store.inShardOf(mediaId, mapper -> mapper.likers(MediaStore.schemaOf(mediaId), mediaId,
                    after.map(parts -> MediaStore.micros(parts[0])).orElse(null), after.map(parts -> parts[1]).orElse(0L), limit));
            final String next = likes.size() < limit ? "" : Pages.cursor(
                    ChronoUnit.MICROS.between(java.time.Instant.EPOCH, likes.getLast().createdAt), likes.getLast().userId);
            return ListLikersResponse.newBuilder().addAllUserIds(likes.stream().map(like -> like.userId).toList())
                    .setPage(PageResponse.newBuilder().setNextCursor(next)).build();
        });
    }

    @Override
    public void batchListLikers(BatchListLikersRequest request, StreamObserver<BatchListLikersResponse> responses) {
        answer(responses, () -> {
            requireBatch("media_ids", request.getMediaIdsCount());
            final int limit = perItemLimit("limit_per_media", request.getLimitPerMedia());
            final Set<Long> mediaIds = visible(Viewer.current(), stored(request.getMediaIdsList())).keySet();
            final Map<Long, List<LikeRow>> byMedia = store.perServer(mediaIds, (mapper, bySchema) -> mapper.firstLikers(bySchema, limit))
                    .stream().collect(Collectors.groupingBy(like -> like.mediaId));
            final BatchListLikersResponse.Builder response = BatchListLikersResponse.newBuilder();
            for (long mediaId : mediaIds) {
                final List<LikeRow> likes = byMedia.getOrDefault(mediaId, List.of());
                final String next = likes.size() < limit ? "" : Pages.cursor(
                        ChronoUnit.MICROS.between(java.time.Instant.EPOCH, likes.getLast().createdAt), likes.getLast().userId);
                response.putPages(mediaId, LikerPage.newBuilder().addAllUserIds(likes.stream().map(like -> like.userId).toList())
                        .setPage(PageResponse.newBuilder().setNextCursor(next)).build());
            }
            return response.build();
        });
    }

    // ================================================================ comments

    @Override
    public void addComment(AddCommentRequest request, StreamObserver<AddCommentResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final long mediaId = requireId("media_id", request.getMediaId());
            final String text = request.getText();
            if (text.isBlank() || length(text) > MAX_COMMENT) {
                throw PinholeException.invalidArgument("text", "1–1,000 characters, not blank");
            }
            requireVisible(OptionalLong.of(viewer), mediaId);
            final CommentRow comment = store.addComment(mediaId, viewer, text,
                    resolveMentions(viewer, Captions.parse(text).mentions()));
            cache.written(mediaId);
            return AddCommentResponse.newBuilder().setComment(comment.toComment()).build();
        });
    }

    @Override
    public void deleteComment(DeleteCommentRequest request, StreamObserver<DeleteCommentResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final long commentId = requireId("comment_id", request.getCommentId());
            final CommentRow comment = store.isPossibleId(commentId)
                    ? store.inShardOf(commentId, mapper -> mapper.comment(MediaStore.schemaOf(commentId), commentId)) : null;
            if (comment == null) {
                throw PinholeException.notFound("no comment " + commentId);
            }
            final Media media = requireVisible(OptionalLong.of(viewer), comment.mediaId);
            if (comment.authorId != viewer && media.getOwnerId() != viewer) {
                // A comment whose author blocks the viewer is left out of every list the viewer reads: it is as
                // unknown to them as an invisible media, not someone else's comment they may not touch.
                if (withoutHiddenAuthors(List.of(comment)).isEmpty()) {
                    throw PinholeException.notFound("no comment " + commentId);
                }
                throw PinholeException.permissionDenied("only the comment's author or the media's owner may delete it");
            }
            final boolean deleted = comment.deletedAt == null && store.deleteComment(comment, media.getOwnerId());
            cache.written(comment.mediaId);
            return DeleteCommentResponse.newBuilder().setDeleted(deleted).build();
        });
    }

    @Override
    public void listComments(ListCommentsRequest request, StreamObserver<ListCommentsResponse> responses) {
        answer(responses, () -> {
            final long mediaId = requireId("media_id", request.getMediaId());
            final int limit = Pages.limit(request.getPage());
            final boolean newestFirst = request.getOrder() == CommentOrder.COMMENT_ORDER_NEWEST_FIRST;
            final long after = Pages.decode(request.getPage(), 1).map(parts -> parts[0]).orElse(0L);
            requireVisible(Viewer.current(), mediaId);
            final List<CommentRow> rows = store.inShardOf(mediaId,
                    mapper -> mapper.comments(MediaStore.schemaOf(mediaId), mediaId, newestFirst, after, limit));
            final String next = rows.size() < limit ? "" : Pages.cursor(rows.getLast().id);
            return ListCommentsResponse.newBuilder().addAllComments(withoutHiddenAuthors(rows))
                    .setPage(PageResponse.newBuilder().setNextCursor(next)).build();
        });
    }

    @Override
    public void batchListComments(BatchListCommentsRequest request, StreamObserver<BatchListCommentsResponse> responses) {
        answer(responses, () -> {
            requireBatch("media_ids", request.getMediaIdsCount());
            final int limit = perItemLimit("limit_per_media", request.getLimitPerMedia());
            final boolean newestFirst = request.getOrder() == CommentOrder.COMMENT_ORDER_NEWEST_FIRST;
            final Set<Long> mediaIds = visible(Viewer.current(), stored(request.getMediaIdsList())).keySet();
            final List<CommentRow> rows = store.perServer(mediaIds,
                    (mapper, bySchema) -> mapper.firstComments(bySchema, newestFirst, limit));
            final Set<Long> shown = withoutHiddenAuthors(rows).stream().map(Comment::getId).collect(Collectors.toSet());
            final Map<Long, List<CommentRow>> byMedia = rows.stream().collect(Collectors.groupingBy(row -> row.mediaId));
            final BatchListCommentsResponse.Builder response = BatchListCommentsResponse.newBuilder();
            for (long mediaId : mediaIds) {
                final List<CommentRow> page = byMedia.getOrDefault(mediaId, List.of()).stream()
                        .sorted(newestFirst ? Comparator.comparingLong((CommentRow row) -> row.id).reversed()
                                            : Comparator.comparingLong((CommentRow row) -> row.id)).toList();
                final String next = page.size() < limit ? "" : Pages.cursor(page.getLast().id);
                response.putPages(mediaId, CommentPage.newBuilder()
                        .addAllComments(page.stream().filter(row -> shown.contains(row.id)).map(CommentRow::toComment).toList())
                        .setPage(PageResponse.newBuilder().setNextCursor(next)).build());
            }
            return response.build();
        });
    }

    @Override
    public void getComments(GetCommentsRequest request, StreamObserver<GetCommentsResponse> responses) {
        answer(responses, () -> {
            requireBatch("comment_ids", request.getCommentIdsCount());
            final List<CommentRow> rows = store.perServer(request.getCommentIdsList().stream().distinct().toList(),
                    MediaMapper::commentsIn);
            final Set<Long> visibleMedia = visible(Viewer.current(),
                    stored(rows.stream().map(row -> row.mediaId).distinct().toList())).keySet();
            final GetCommentsResponse.Builder response = GetCommentsResponse.newBuilder();
            rows.stream().filter(row -> visibleMedia.contains(row.mediaId))
                .forEach(row -> response.putComments(row.id, row.toComment()));
            return response.build();
        });
    }

    /** The comments whose authors the viewer may see (authors who block the viewer are left out). */
    private List<Comment> withoutHiddenAuthors(List<CommentRow> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        final OptionalLong viewer = Viewer.current();
        final List<Long> authors = rows.stream().map(row -> row.authorId).distinct().toList();
        final IdentityServiceBlockingStub asViewer = viewer.isPresent() ? Viewer.as(identity, viewer.getAsLong()) : identity;
        final Set<Long> visibleAuthors = new java.util.HashSet<>();
        for (int from = 0; from < authors.size(); from += MAX_BATCH) {
            visibleAuthors.addAll(asViewer.getUsers(GetUsersRequest.newBuilder()
                    .addAllUserIds(authors.subList(from, Math.min(authors.size(), from + MAX_BATCH))).build()).getUsersMap().keySet());
        }
        return rows.stream().filter(row -> visibleAuthors.contains(row.authorId)).map(CommentRow::toComment).toList();
    }

    // ================================================================ tags

    @Override
    public void getTag(GetTagRequest request, StreamObserver<GetTagResponse> responses) {
        answer(responses, () -> {
            final String tag = requireTag(request.getName());
            final List<Long> counts = store.everyServer((mapper, schemas) -> {
                final Long count = mapper.tagCount(schemas, tag);
                return count == null ? List.of() : List.of(count);
            });
            if (counts.isEmpty()) {
                throw PinholeException.notFound("no media ever carried #" + tag);
            }
            return GetTagResponse.newBuilder().setName(tag).setMediaCount(counts.stream().mapToLong(Long::longValue).sum()).build();
        });
    }

    @Override
    public void listTagMedia(ListTagMediaRequest request, StreamObserver<ListTagMediaResponse> responses) {
        answer(responses, () -> {
            final String tag = requireTag(request.getName());
            final int limit = Pages.limit(request.getPage());
            final long before = Pages.decode(request.getPage(), 1).map(parts -> parts[0]).orElse(0L);
            final List<Long> page = store.everyServer((mapper, schemas) -> mapper.tagMediaIds(schemas, tag, before, limit))
                    .stream().sorted(Comparator.reverseOrder()).limit(limit).toList();
            final Set<Long> visibleIds = visible(Viewer.current(), stored(page)).keySet();
            return ListTagMediaResponse.newBuilder().addAllMediaIds(page.stream().filter(visibleIds::contains).toList())
                    .setPage(nextPage(page, limit)).build();
        });
    }

    private static String requireTag(String name) {
        return Captions.tagName(name).orElseThrow(() -> PinholeException.invalidArgument(
                "name", "1–100 letters, digits or '_'"));
    }

    // ================================================================ helpers

    private Map<Long, MediaCache.Stored> stored(List<Long> ids) {
        return cache.get(ids.stream().filter(store::isPossibleId).distinct().toList(), store::loadMedia);
    }

    /** The live media among {@code stored} that the viewer may see, in the order given. */
    private Map<Long, Media> visible(OptionalLong viewer, Map<Long, MediaCache.Stored> stored) {
        final List<MediaCache.Stored> live = stored.values().stream().filter(media -> !media.deleted()).toList();
        final Set<Long> owners = visibility.visibleOwners(viewer, live.stream().map(media -> media.media().getOwnerId()).distinct().toList());
        final Map<Long, Media> visible = new LinkedHashMap<>();
        live.stream().filter(media -> owners.contains(media.media().getOwnerId()))
            .forEach(media -> visible.put(media.media().getId(), media.media()));
        return visible;
    }

    /** The media if the viewer may see it; NOT_FOUND otherwise (unknown, deleted and invisible look the same). */
    private Media requireVisible(OptionalLong viewer, long mediaId) {
        final Media media = visible(viewer, stored(List.of(mediaId))).get(mediaId);
        if (media == null) {
            throw PinholeException.notFound("no media " + mediaId);
        }
        return media;
    }

    private void requireAccess(OptionalLong viewer, long userId) {
        switch (store.isPossibleId(userId) ? visibility.access(viewer, userId) : Visibility.Access.UNKNOWN) {
            case UNKNOWN -> throw PinholeException.notFound("no user " + userId);
            case PRIVATE -> throw PinholeException.permissionDenied("this account is private; follow it to see its media");
            case VISIBLE -> { }
        }
    }

    private Media withUrls(Media media) {
        final Media.Builder builder = media.toBuilder();
        builder.getImagesBuilder().getThumbnailBuilder().setUrl(urls.url(media.getId(), RenditionKind.THUMBNAIL));
        builder.getImagesBuilder().getLowBuilder().setUrl(urls.url(media.getId(), RenditionKind.LOW));
        builder.getImagesBuilder().getStandardBuilder().setUrl(urls.url(media.getId(), RenditionKind.STANDARD));
        return builder.build();
    }

    private static PageResponse nextPage(List<Long> ids, int limit) {
        return PageResponse.newBuilder().setNextCursor(ids.size() < limit ? "" : Pages.cursor(ids.getLast())).build();
    }

    private static int perItemLimit(String field, int limit) {
        if (limit < 0 || limit > Pages.MAX_LIMIT) {
            throw PinholeException.invalidArgument(field, "between 0 and 50");
        }
        return limit == 0 ? Pages.DEFAULT_LIMIT : limit;
    }

    private static void requireBatch(String field, int count) {
        if (count > MAX_BATCH) {
            throw PinholeException.invalidArgument(field, "at most " + MAX_BATCH + " per call");
        }
    }

    private static long requireId(String field, long id) {
        if (id <= 0) {
            throw PinholeException.invalidArgument(field, "required");
        }
        return id;
    }

    private static int length(String text) {
        return text.codePointCount(0, text.length());
    }

    private static <T> void answer(StreamObserver<T> responses, Supplier<T> work) {
        responses.onNext(work.get());
        responses.onCompleted();
    }
}
