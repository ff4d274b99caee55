package io.pinhole.media;

import static io.pinhole.media.MediaFixture.anonymous;
import static io.pinhole.media.MediaFixture.as;
import static io.pinhole.media.MediaFixture.assertFails;
import static io.pinhole.media.MediaFixture.identity;
import static io.pinhole.media.MediaFixture.newUser;
import static io.pinhole.media.MediaFixture.upload;
import static io.pinhole.media.MediaFixture.usernameOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status.Code;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.identity.v1.BlockRequest;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.identity.v1.UpdateProfileRequest;
import io.pinhole.media.v1.AddCommentRequest;
import io.pinhole.media.v1.BatchListCommentsRequest;
import io.pinhole.media.v1.BatchListLikersRequest;
import io.pinhole.media.v1.Comment;
import io.pinhole.media.v1.CommentOrder;
import io.pinhole.media.v1.DeleteCommentRequest;
import io.pinhole.media.v1.GetCommentsRequest;
import io.pinhole.media.v1.GetMediaRequest;
import io.pinhole.media.v1.GetTagRequest;
import io.pinhole.media.v1.GetViewerLikesRequest;
import io.pinhole.media.v1.LikeRequest;
import io.pinhole.media.v1.ListCommentsRequest;
import io.pinhole.media.v1.ListLikersRequest;
import io.pinhole.media.v1.ListTagMediaRequest;
import io.pinhole.media.v1.ListUserMediaRequest;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.UnlikeRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, MediaFixture.class})
class SocialTest {

    private static Media get(long viewer, long mediaId) {
        return as(viewer).getMedia(GetMediaRequest.newBuilder().addMediaIds(mediaId).build()).getMediaOrThrow(mediaId);
    }

    @Test
    void likes_areIdempotentUnderConcurrency_andCountsStayExact() throws Exception {
        final long mediaId = upload(newUser("liked"), "like me").getId();
        final List<Long> likers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            likers.add(newUser("liker"));
        }
        final CountDownLatch start = new CountDownLatch(1);
        final List<Future<?>> calls = new ArrayList<>();
        try (ExecutorService executor = Executors.newFixedThreadPool(16)) {
            for (long liker : likers) {
                for (int twice = 0; twice < 2; twice++) {
                    calls.add(executor.submit(() -> {
                        start.await();
                        return as(liker).like(LikeRequest.newBuilder().setMediaId(mediaId).build());
                    }));
                }
            }
            start.countDown();
            for (Future<?> call : calls) {
                call.get();
            }
        }
        assertThat(get(likers.get(0), mediaId).getLikeCount()).isEqualTo(8);
        assertThat(as(likers.get(0)).getViewerLikes(GetViewerLikesRequest.newBuilder().addMediaIds(mediaId).addMediaIds(mediaId + 1).build())
                .getLikedMediaIdsList()).containsExactly(mediaId);

        assertThat(as(likers.get(0)).unlike(UnlikeRequest.newBuilder().setMediaId(mediaId).build()).getMedia().getLikeCount()).isEqualTo(7);
        assertThat(as(likers.get(0)).unlike(UnlikeRequest.newBuilder().setMediaId(mediaId).build()).getMedia().getLikeCount()).isEqualTo(7);
        final var page = anonymous().listLikers(ListLikersRequest.newBuilder().setMediaId(mediaId)
                .setPage(PageRequest.newBuilder().setLimit(5)).build());
        final var rest = anonymous().listLikers(ListLikersRequest.newBuilder().setMediaId(mediaId)
                .setPage(PageRequest.newBuilder().setLimit(5).setCursor(page.getPage().getNextCursor())).build());
        final List<Long> listed = new ArrayList<>(page.getUserIdsList());
        listed.addAll(rest.getUserIdsList());
        assertThat(listed).containsExactlyInAnyOrderElementsOf(likers.subList(1, 8));
        assertThat(anonymous().batchListLikers(BatchListLikersRequest.newBuilder().addMediaIds(mediaId).setLimitPerMedia(3).build())
                .getPagesOrThrow(mediaId).getUserIdsList()).containsExactlyElementsOf(page.getUserIdsList().subList(0, 3));
        assertFails(Code.UNAUTHENTICATED, () -> anonymous().like(LikeRequest.newBuilder().setMediaId(mediaId).build()));
        assertFails(Code.NOT_FOUND, () -> as(likers.get(0)).like(LikeRequest.newBuilder().setMediaId(mediaId + 1).build()));
    }

    @Test
    void privateAccountsMedia_showOnlyToOwnerAndApprovedFollowers_andBlocksHideEverything() {
        final long owner = newUser("private");
        final long mediaId = upload(owner, "only friends").getId();
        identity(owner).updateProfile(UpdateProfileRequest.newBuilder().setIsPrivate(true).build());
        final long follower = newUser("approved");
        identity(follower).follow(FollowRequest.newBuilder().setUserId(owner).build());
        identity(owner).approveFollowRequest(io.pinhole.identity.v1.ApproveFollowRequestRequest.newBuilder().setUserId(follower).build());
        final long stranger = newUser("stranger");

        assertThat(get(owner, mediaId).getId()).isEqualTo(mediaId);
        assertThat(get(follower, mediaId).getId()).isEqualTo(mediaId);
        assertThat(as(stranger).getMedia(GetMediaRequest.newBuilder().addMediaIds(mediaId).build()).getMediaMap()).isEmpty();
        assertThat(anonymous().getMedia(GetMediaRequest.newBuilder().addMediaIds(mediaId).build()).getMediaMap()).isEmpty();
        assertFails(Code.PERMISSION_DENIED, () -> as(stranger).listUserMedia(ListUserMediaRequest.newBuilder().setUserId(owner).build()));
        assertFails(Code.NOT_FOUND, () -> as(stranger).like(LikeRequest.newBuilder().setMediaId(mediaId).build()));
        assertFails(Code.NOT_FOUND, () -> as(stranger).addComment(AddCommentRequest.newBuilder().setMediaId(mediaId).setText("hi").build()));

        identity(owner).block(BlockRequest.newBuilder().setUserId(follower).build());
        assertThat(as(follower).getMedia(GetMediaRequest.newBuilder().addMediaIds(mediaId).build()).getMediaMap()).isEmpty();
        assertFails(Code.NOT_FOUND, () -> as(follower).listUserMedia(ListUserMediaRequest.newBuilder().setUserId(owner).build()));
    }

    @Test
    void comments_withMentions_deletedByAuthorOrOwnerOnly() {
        final long owner = newUser("poster");
        final long author = newUser("commenter");
        final long mentioned = newUser("mentioned");
        final long outsider = newUser("outsider");
        final long mediaId = upload(owner, "a photo").getId();

        final Comment first = as(author).addComment(AddCommentRequest.newBuilder().setMediaId(mediaId)
                .setText("Nice one @" + usernameOf(mentioned).toUpperCase() + " and @nobody_at_all_here.").build()).getComment();
        final Comment second = as(owner).addComment(AddCommentRequest.newBuilder().setMediaId(mediaId).setText("thanks!").build()).getComment();
        assertThat(first.getMentionedUserIdsList()).containsExactly(mentioned);
        assertThat(get(owner, mediaId).getCommentCount()).isEqualTo(2);
        assertThat(anonymous().listComments(ListCommentsRequest.newBuilder().setMediaId(mediaId).build()).getCommentsList())
                .extracting(Comment::getId).containsExactly(first.getId(), second.getId());
        assertThat(anonymous().listComments(ListCommentsRequest.newBuilder().setMediaId(mediaId)
                .setOrder(CommentOrder.COMMENT_ORDER_NEWEST_FIRST).setPage(PageRequest.newBuilder().setLimit(1)).build()).getCommentsList())
                .extracting(Comment::getId).containsExactly(second.getId());
        assertThat(anonymous().batchListComments(BatchListCommentsRequest.newBuilder().addMediaIds(mediaId).setLimitPerMedia(1).build())
                .getPagesOrThrow(mediaId).getCommentsList()).extracting(Comment::getId).containsExactly(first.getId());
        assertThat(anonymous().getComments(GetCommentsRequest.newBuilder().addCommentIds(first.getId()).build()).getCommentsMap())
                .containsOnlyKeys(first.getId());

        assertFails(Code.INVALID_ARGUMENT, () -> as(author).addComment(AddCommentRequest.newBuilder().setMediaId(mediaId).setText("   ").build()), "text");
        assertFails(Code.INVALID_ARGUMENT, () -> as(author).addComment(AddCommentRequest.newBuilder().setMediaId(mediaId).setText("x".repeat(1001)).build()), "text");
        assertFails(Code.PERMISSION_DENIED, () -> as(outsider).deleteComment(DeleteCommentRequest.newBuilder().setCommentId(first.getId()).build()));
        assertThat(as(owner).deleteComment(DeleteCommentRequest.newBuilder().setCommentId(first.getId()).build()).getDeleted()).isTrue();
        assertThat(as(author).deleteComment(DeleteCommentRequest.newBuilder().setCommentId(first.getId()).build()).getDeleted()).isFalse();
        assertThat(get(owner, mediaId).getCommentCount()).isEqualTo(1);
        assertFails(Code.NOT_FOUND, () -> as(owner).deleteComment(DeleteCommentRequest.newBuilder().setCommentId(first.getId() + 1).build()));
    }

    @Test
    void deleteComment_byAnAuthorWhoBlocksTheViewer_isNotFound_asTheCommentIsHiddenFromThem() {
        final long owner = newUser("poster");
        final long author = newUser("commenter");
        final long blocked = newUser("blocked");
        final long mediaId = upload(owner, "a photo").getId();
        final Comment comment = as(author).addComment(AddCommentRequest.newBuilder().setMediaId(mediaId).setText("hi").build()).getComment();
        identity(author).block(BlockRequest.newBuilder().setUserId(blocked).build());
        assertThat(as(blocked).listComments(ListCommentsRequest.newBuilder().setMediaId(mediaId).build()).getCommentsList()).isEmpty();

        assertFails(Code.NOT_FOUND, () -> as(blocked).deleteComment(DeleteCommentRequest.newBuilder().setCommentId(comment.getId()).build()));
        // others still learn it is not theirs; the photo's owner may still remove it
        assertFails(Code.PERMISSION_DENIED, () -> as(newUser("outsider")).deleteComment(
                DeleteCommentRequest.newBuilder().setCommentId(comment.getId()).build()));
        assertThat(as(owner).deleteComment(DeleteCommentRequest.newBuilder().setCommentId(comment.getId()).build()).getDeleted()).isTrue();
    }

    @Test
    void anAvatar_mustBeOneOfTheViewersMedia_andShowsItsThumbnail() {
        final long owner = newUser("avatar");
        final Media mine = upload(owner, "me");
        final long theirs = upload(newUser("other"), "not yours").getId();

        final var user = identity(owner).updateProfile(UpdateProfileRequest.newBuilder().setAvatarMediaId(mine.getId()).build()).getUser();
        assertThat(user.getAvatarMediaId()).isEqualTo(mine.getId());
        assertThat(user.getAvatarUrl()).contains("media/" + mine.getId() + "/thumbnail.jpg");
        assertFails(Code.INVALID_ARGUMENT, () -> identity(owner).updateProfile(UpdateProfileRequest.newBuilder()
                .setAvatarMediaId(theirs).build()), "avatar_media_id");
        assertThat(identity(owner).updateProfile(UpdateProfileRequest.newBuilder().setAvatarMediaId(0).build())
                .getUser().getAvatarUrl()).isEmpty();
    }

    @Test
    void hashtags_areUnicodeAware_countedAndListedNewestFirstAcrossShards() {
        final String tag = "café" + MediaFixture.uniqueName("x").replace("_", "");
        final long alice = newUser("tagger");
        final long bob = newUser("tagger");
        final long hidden = newUser("hiddentagger");
        final long first = upload(alice, "Morning #" + tag.toUpperCase() + " #" + tag).getId();
        final long second = upload(bob, "Evening #" + tag + "!").getId();
        final long third = upload(hidden, "#" + tag).getId();
        identity(hidden).updateProfile(UpdateProfileRequest.newBuilder().setIsPrivate(true).build());

        assertThat(anonymous().getTag(GetTagRequest.newBuilder().setName("#" + tag.toUpperCase()).build()).getMediaCount()).isEqualTo(3);
        assertThat(anonymous().listTagMedia(ListTagMediaRequest.newBuilder().setName(tag).build()).getMediaIdsList())
                .containsExactly(second, first); // the private account's media is counted, not listed
        assertThat(third).isPositive();
        as(bob).deleteMedia(io.pinhole.media.v1.DeleteMediaRequest.newBuilder().setMediaId(second).build());
        assertThat(anonymous().getTag(GetTagRequest.newBuilder().setName(tag).build()).getMediaCount()).isEqualTo(2);
        assertFails(Code.NOT_FOUND, () -> anonymous().getTag(GetTagRequest.newBuilder().setName("never" + tag).build()));
        assertFails(Code.INVALID_ARGUMENT, () -> anonymous().getTag(GetTagRequest.newBuilder().setName("no spaces").build()), "name");
        assertThat(anonymous().listTagMedia(ListTagMediaRequest.newBuilder().setName("never" + tag).build()).getMediaIdsList()).isEmpty();
    }
}
