package io.pinhole.feed;

import static io.pinhole.feed.FeedFixture.feed;
import static io.pinhole.feed.FeedFixture.identity;
import static io.pinhole.feed.FeedFixture.media;
import static io.pinhole.feed.FeedFixture.newUser;
import static io.pinhole.feed.FeedFixture.post;
import static io.pinhole.feed.FeedFixture.usernameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pinhole.devstack.DevstackExtension;
import io.pinhole.feed.v1.Activity;
import io.pinhole.feed.v1.ActivityKind;
import io.pinhole.feed.v1.GetActivityRequest;
import io.pinhole.feed.v1.GetPopularRequest;
import io.pinhole.identity.v1.BlockRequest;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.identity.v1.UpdateProfileRequest;
import io.pinhole.media.v1.AddCommentRequest;
import io.pinhole.media.v1.LikeRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, FeedFixture.class})
class ActivityAndPopularTest {

    private static List<Activity> activity(long viewer) {
        return feed(viewer).getActivity(GetActivityRequest.getDefaultInstance()).getItemsList();
    }

    private static Optional<Activity> item(long viewer, ActivityKind kind) {
        return activity(viewer).stream().filter(item -> item.getKind() == kind).findFirst();
    }

    private static void like(long liker, long mediaId) {
        media(liker).like(LikeRequest.newBuilder().setMediaId(mediaId).build());
    }

    @Test
    void likesAggregate_commentsMentionsAndFollowsAreListed_andBlockedActorsLeftOut() {
        final long owner = newUser("owner");
        final long mediaId = post(owner, "my photo").getId();
        final List<Long> likers = List.of(newUser("l"), newUser("l"), newUser("l"), newUser("l"), newUser("l"));
        likers.forEach(liker -> like(liker, mediaId));
        like(likers.get(0), mediaId); // idempotent in media: no second event

        await().atMost(Duration.ofSeconds(15)).until(() -> item(owner, ActivityKind.ACTIVITY_KIND_LIKE)
                .map(item -> item.getActorCount() == 5).orElse(false));
        final Activity likes = item(owner, ActivityKind.ACTIVITY_KIND_LIKE).orElseThrow();
        assertThat(likes.getMediaId()).isEqualTo(mediaId);
        assertThat(likes.getActorIdsList()).hasSize(3).containsExactly(likers.get(4), likers.get(3), likers.get(2));

        final long friend = newUser("friend");
        identity(friend).follow(FollowRequest.newBuilder().setUserId(owner).build());
        media(friend).addComment(AddCommentRequest.newBuilder().setMediaId(mediaId)
                .setText("great, look @" + usernameOf(likers.get(0))).build());
        await().atMost(Duration.ofSeconds(15)).until(() -> item(owner, ActivityKind.ACTIVITY_KIND_COMMENT).isPresent()
                && item(owner, ActivityKind.ACTIVITY_KIND_FOLLOW).isPresent()
                && item(likers.get(0), ActivityKind.ACTIVITY_KIND_MENTION).isPresent());
        assertThat(item(owner, ActivityKind.ACTIVITY_KIND_COMMENT).orElseThrow().getText()).startsWith("great, look @");
        assertThat(item(owner, ActivityKind.ACTIVITY_KIND_FOLLOW).orElseThrow().getActorIdsList()).containsExactly(friend);
        assertThat(item(likers.get(0), ActivityKind.ACTIVITY_KIND_MENTION).orElseThrow().getActorIdsList()).containsExactly(friend);
        assertThat(activity(owner).getFirst().getKind()).isIn(ActivityKind.ACTIVITY_KIND_COMMENT, ActivityKind.ACTIVITY_KIND_FOLLOW);

        identity(owner).block(BlockRequest.newBuilder().setUserId(likers.get(4)).build());
        assertThat(item(owner, ActivityKind.ACTIVITY_KIND_LIKE).orElseThrow().getActorIdsList()).doesNotContain(likers.get(4));
    }

    @Test
    void followRequests_appearForPrivateAccounts() {
        final long shy = newUser("shy");
        identity(shy).updateProfile(UpdateProfileRequest.newBuilder().setIsPrivate(true).build());
        final long asker = newUser("asker");
        identity(asker).follow(FollowRequest.newBuilder().setUserId(shy).build());
        await().atMost(Duration.ofSeconds(15)).until(() -> item(shy, ActivityKind.ACTIVITY_KIND_FOLLOW_REQUEST).isPresent());
        assertThat(item(shy, ActivityKind.ACTIVITY_KIND_FOLLOW_REQUEST).orElseThrow().getActorIdsList()).containsExactly(asker);
    }

    @Test
    void popular_ranksRecentPublicMediaByLikesAndComments() {
        final long owner = newUser("popular");
        final long hidden = newUser("hidden");
        final long top = post(owner, "top").getId();
        final long second = post(owner, "second").getId();
        final long secret = post(hidden, "secret").getId();
        for (int i = 0; i < 3; i++) {
            final long fan = newUser("fan");
            like(fan, top);
            like(fan, secret);
        }
        identity(hidden).updateProfile(UpdateProfileRequest.newBuilder().setIsPrivate(true).build());
        media(newUser("talker")).addComment(AddCommentRequest.newBuilder().setMediaId(second).setText("first!").build());

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            final List<Long> ranked = FeedFixture.anonymousFeed().getPopular(GetPopularRequest.getDefaultInstance()).getMediaIdsList();
            assertThat(ranked).contains(top, second).doesNotContain(secret);
            assertThat(ranked.indexOf(top)).isLessThan(ranked.indexOf(second));
        });
    }
}
