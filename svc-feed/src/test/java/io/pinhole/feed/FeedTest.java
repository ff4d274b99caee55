package io.pinhole.feed;

import static io.pinhole.feed.FeedFixture.feed;
import static io.pinhole.feed.FeedFixture.identity;
import static io.pinhole.feed.FeedFixture.media;
import static io.pinhole.feed.FeedFixture.newUser;
import static io.pinhole.feed.FeedFixture.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.feed.v1.GetHomeFeedRequest;
import io.pinhole.feed.v1.GetHomeFeedResponse;
import io.pinhole.identity.v1.BlockRequest;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.identity.v1.UnfollowRequest;
import io.pinhole.media.v1.DeleteMediaRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, FeedFixture.class})
class FeedTest {

    private static RedisClient redisClient;

    @BeforeAll
    static void connect(Devstack devstack) {
        redisClient = RedisClient.create(devstack.redis().uri());
    }

    @AfterAll
    static void disconnect() {
        redisClient.shutdown();
    }

    private static List<Long> home(long viewer) {
        return feed(viewer).getHomeFeed(GetHomeFeedRequest.getDefaultInstance()).getMediaIdsList();
    }

    /** The media IDs stored in a timeline in Redis (null when the user has none). */
    private static long[] stored(long userId) {
        try (var connection = redisClient.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
            return TimelineStore.unpack(connection.sync().get(FeedKeys.timeline(userId)));
        }
    }

    private static void follow(long follower, long followee) {
        identity(follower).follow(FollowRequest.newBuilder().setUserId(followee).build());
    }

    @Test
    void aPost_reachesActiveFollowersTimelines_onceEvenWhenRedelivered_andNotInactiveOnes() {
        final long author = newUser("author");
        final long active = newUser("active");
        final long inactive = newUser("inactive");
        follow(active, author);
        follow(inactive, author);
        assertThat(home(active)).isEmpty(); // reading makes the timeline exist: the user is active

        final long mediaId = post(author, "hello").getId();

        await().atMost(Duration.ofSeconds(15)).until(() -> stored(active) != null && stored(active).length == 1);
        assertThat(stored(active)).containsExactly(mediaId);
        // The same MediaPosted delivered again (as after a consumer crash) adds nothing.
        final var redelivered = io.pinhole.events.v1.EventEnvelope.newBuilder()
                .setEventId(java.util.UUID.randomUUID().toString()).setAggregateId(author)
                .setMediaPosted(io.pinhole.events.v1.MediaPosted.newBuilder().setMediaId(mediaId).setOwnerId(author)).build();
        try (var connection = redisClient.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
            connection.sync().xadd(io.pinhole.platform.events.Topics.MEDIA, Map.of("event", redelivered.toByteArray(),
                    "event_id", redelivered.getEventId().getBytes()));
        }
        final long marker = post(author, "after the redelivery").getId();
        await().atMost(Duration.ofSeconds(15)).until(() -> stored(active).length == 2);
        assertThat(stored(active)).containsExactly(marker, mediaId);
        assertThat(stored(inactive)).isNull();
        assertThat(home(active)).containsExactly(marker, mediaId);
        // The inactive follower's timeline is rebuilt from PostgreSQL when they come back.
        assertThat(home(inactive)).containsExactly(marker, mediaId);
        assertThat(stored(inactive)).containsExactly(marker, mediaId);
        assertThat(home(author)).containsExactly(marker, mediaId); // one's own posts are in one's timeline
    }

    @Test
    void unfollowBlockAndDelete_takeMediaOut() {
        final long first = newUser("first");
        final long second = newUser("second");
        final long reader = newUser("reader");
        follow(reader, first);
        follow(reader, second);
        home(reader);
        final long fromFirst = post(first, "one").getId();
        final long fromSecond = post(second, "two").getId();
        final long deleted = post(second, "gone soon").getId();
        await().atMost(Duration.ofSeconds(15)).until(() -> home(reader).size() == 3);

        media(second).deleteMedia(DeleteMediaRequest.newBuilder().setMediaId(deleted).build());
        assertThat(home(reader)).containsExactly(fromSecond, fromFirst);
        assertThat(stored(reader)).doesNotContain(deleted); // taken out for good when the read found it deleted

        identity(reader).unfollow(UnfollowRequest.newBuilder().setUserId(first).build());
        await().atMost(Duration.ofSeconds(15)).until(() -> !home(reader).contains(fromFirst));
        identity(second).block(BlockRequest.newBuilder().setUserId(reader).build());
        assertThat(home(reader)).isEmpty(); // invisible at once (media checks blocks), and removed by the event
        await().atMost(Duration.ofSeconds(15)).until(() -> stored(reader).length == 0);
    }

    @Test
    void aFollow_backfillsTheFolloweesRecentMedia() {
        final long poster = newUser("poster");
        final long older = post(poster, "before you came").getId();
        final long newcomer = newUser("newcomer");
        home(newcomer);
        follow(newcomer, poster);
        await().atMost(Duration.ofSeconds(15)).until(() -> home(newcomer).contains(older));
    }

    @Test
    void aHugeAccountsPost_isMergedInAtReadTime_notFannedOut() {
        final long star = newUser("star");
        final long fan = newUser("fan");
        follow(fan, star);
        home(fan);
        for (int i = 0; i < FeedFixture.HUGE; i++) {
            follow(newUser("crowd"), star);
        }
        final long mediaId = post(star, "to my many followers").getId();

        await().atMost(Duration.ofSeconds(15)).until(() -> home(fan).contains(mediaId));
        assertThat(stored(fan)).doesNotContain(mediaId);
    }

    @Test
    void pages_areStableWhenNewPostsArrive_andAPageOf50MakesOneMediaAndOneIdentityCall() throws Exception {
        final long reader = newUser("pager");
        final List<Long> authors = List.of(newUser("a"), newUser("b"));
        authors.forEach(author -> follow(reader, author));
        home(reader);
        final List<Long> posted = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            posted.add(0, post(authors.get(i % 2), "post " + i).getId());
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> home(reader).size() == 6);

        final GetHomeFeedResponse first = feed(reader).getHomeFeed(GetHomeFeedRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setLimit(4)).build());
        final long newer = post(authors.get(0), "newer than the first page").getId();
        final GetHomeFeedResponse second = feed(reader).getHomeFeed(GetHomeFeedRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setLimit(4).setCursor(first.getPage().getNextCursor())).build());
        final List<Long> seen = new ArrayList<>(first.getMediaIdsList());
        seen.addAll(second.getMediaIdsList());
        assertThat(seen).containsExactlyElementsOf(posted);
        assertThat(first.getMediaMap()).containsOnlyKeys(first.getMediaIdsList());
        assertThat(first.getUsersMap()).containsOnlyKeys(authors);

        await().atMost(Duration.ofSeconds(15)).until(() -> home(reader).contains(newer)); // its fan-out is over
        final Map<String, Double> before = calls();
        final GetHomeFeedResponse fifty = feed(reader).getHomeFeed(GetHomeFeedRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setLimit(50)).build());
        final Map<String, Double> after = calls();
        assertThat(fifty.getMediaIdsCount()).isEqualTo(7);
        assertThat(after.get("media") - before.get("media")).isEqualTo(1.0);
        assertThat(after.get("identity") - before.get("identity")).isEqualTo(1.0);

        final StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, () -> feed(reader)
                .getHomeFeed(GetHomeFeedRequest.newBuilder().setPage(PageRequest.newBuilder().setLimit(51)).build()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> FeedFixture.anonymousFeed()
                .getHomeFeed(GetHomeFeedRequest.getDefaultInstance())).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    /** The feed's GetMedia and GetUsers calls so far (pinhole_client_calls_total at /metrics). */
    static Map<String, Double> calls() throws Exception {
        // HTTP/1.1: the JDK client's h2c upgrade to Armeria sometimes misreads the answer.
        final String metrics = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                URI.create(FeedFixture.feedService().baseUrl() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        final Map<String, Double> calls = new java.util.HashMap<>(Map.of("media", 0.0, "identity", 0.0));
        final Matcher line = Pattern.compile("(?m)^pinhole_client_calls_total\\{([^}]*)\\} (\\S+)$").matcher(metrics);
        while (line.find()) {
            if (line.group(1).contains("MediaService/GetMedia\"")) {
                calls.merge("media", Double.parseDouble(line.group(2)), Double::sum);
            } else if (line.group(1).contains("IdentityService/GetUsers\"")) {
                calls.merge("identity", Double.parseDouble(line.group(2)), Double::sum);
            }
        }
        return calls;
    }
}
