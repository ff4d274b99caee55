package io.pinhole.identity;

import static io.pinhole.identity.IdentityFixture.anonymous;
import static io.pinhole.identity.IdentityFixture.as;
import static io.pinhole.identity.IdentityFixture.assertFails;
import static io.pinhole.identity.IdentityFixture.newUser;
import static io.pinhole.identity.IdentityFixture.signUp;
import static io.pinhole.identity.IdentityFixture.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.spotify.folsom.MemcacheClient;
import io.grpc.Status.Code;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.events.v1.MediaDeleted;
import io.pinhole.events.v1.MediaPosted;
import io.pinhole.identity.v1.GetUsersByUsernameRequest;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.UpdateProfileRequest;
import io.pinhole.identity.v1.User;
import io.pinhole.platform.client.MemcachedClients;
import io.pinhole.platform.events.Topics;
import io.pinhole.platform.id.PinholeIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, IdentityFixture.class})
class ProfilesTest {

    private static MemcacheClient<byte[]> memcached;

    @BeforeAll
    static void connect(Devstack devstack) {
        memcached = MemcachedClients.create(List.of(devstack.memcached().servers()), Duration.ofSeconds(2));
    }

    @AfterAll
    static void disconnect() {
        memcached.shutdown();
    }

    private static Map<Long, User> getUsers(long... ids) {
        return anonymous().getUsers(GetUsersRequest.newBuilder().addAllUserIds(LongStream.of(ids).boxed().toList()).build()).getUsersMap();
    }

    @Test
    void getUsers_answersKnownUsersOnly_fromBothServers_andFillsTheCache() throws Exception {
        final long onFirst = IdentityFixture.newUserOnServer("grid", 0);
        final long onSecond = IdentityFixture.newUserOnServer("grid", 1);
        final long unknown = PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 5, 2, 7);
        final long impossibleShard = PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 5, 4000, 7);

        final Map<Long, User> found = getUsers(onFirst, onSecond, onFirst, unknown, impossibleShard, -5, 0);

        assertThat(found).containsOnlyKeys(onFirst, onSecond);
        final byte[] cached = memcached.get(IdentityKeys.user(onSecond)).toCompletableFuture().get();
        assertThat(User.parseFrom(cached)).isEqualTo(found.get(onSecond));
        assertThat(getUsers(onFirst, onSecond)).isEqualTo(Map.of(onFirst, found.get(onFirst), onSecond, found.get(onSecond)));
    }

    @Test
    void getUsers_refusesMoreThan100Ids() {
        assertFails(Code.INVALID_ARGUMENT, () -> anonymous().getUsers(GetUsersRequest.newBuilder()
                .addAllUserIds(LongStream.rangeClosed(1, 101).boxed().toList()).build()), "user_ids");
        assertFails(Code.INVALID_ARGUMENT, () -> anonymous().getUsersByUsername(GetUsersByUsernameRequest.newBuilder()
                .addAllUsernames(LongStream.rangeClosed(1, 101).mapToObj(i -> "u" + i).toList()).build()), "usernames");
    }

    @Test
    void getUsersByUsername_isCaseInsensitive_andLeavesOutUnknownAndMalformedNames() {
        final String name = uniqueName("ByName");
        final long id = signUp(name, "By Name").getUser().getId();
        final var answer = anonymous().getUsersByUsername(GetUsersByUsernameRequest.newBuilder()
                .addUsernames(name.toUpperCase()).addUsernames(name).addUsernames(uniqueName("ghost"))
                .addUsernames("not a name!").build()).getUsersMap();
        assertThat(answer).containsOnlyKeys(name);
        assertThat(answer.get(name).getId()).isEqualTo(id);
    }

    @Test
    void updateProfile_changesOnlyThePresentFields_invalidatesTheCache_andPublishesProfileUpdated() {
        final long id = signUp(uniqueName("profile"), "Old Name").getUser().getId();
        getUsers(id); // cached now

        final User updated = as(id).updateProfile(UpdateProfileRequest.newBuilder()
                .setBio("Photos of\nthings").setWebsite("https://example.com/me").build()).getUser();

        assertThat(updated.getBio()).isEqualTo("Photos of\nthings");
        assertThat(updated.getWebsite()).isEqualTo("https://example.com/me");
        assertThat(updated.getFullName()).isEqualTo("Old Name");
        assertThat(getUsers(id).get(id)).isEqualTo(updated);

        final User cleared = as(id).updateProfile(UpdateProfileRequest.newBuilder().setWebsite("").build()).getUser();
        assertThat(cleared.getWebsite()).isEmpty();
        assertThat(cleared.getBio()).isEqualTo("Photos of\nthings");
        assertThat(as(id).updateProfile(UpdateProfileRequest.getDefaultInstance()).getUser()).isEqualTo(cleared);

        await().atMost(Duration.ofSeconds(10)).until(() -> IdentityFixture.streamHolds(Topics.USERS, envelope ->
                envelope.hasProfileUpdated() && envelope.getProfileUpdated().getUserId() == id
                && envelope.getProfileUpdated().getChangedFieldsList().equals(List.of("bio", "website"))));
    }

    @Test
    void updateProfile_reportsEachBadField_andNeedsAViewer() {
        final long id = newUser("badprofile");
        assertFails(Code.INVALID_ARGUMENT, () -> as(id).updateProfile(UpdateProfileRequest.newBuilder()
                .setFullName("x".repeat(65)).setBio("b".repeat(151)).setWebsite("ftp://example.com")
                .setAvatarMediaId(-1).build()), "full_name", "bio", "website", "avatar_media_id");
        assertFails(Code.INVALID_ARGUMENT, () -> as(id).updateProfile(UpdateProfileRequest.newBuilder()
                .setWebsite("https://" + "a".repeat(200) + ".com").build()), "website");
        assertFails(Code.UNAUTHENTICATED, () -> anonymous().updateProfile(UpdateProfileRequest.newBuilder().setBio("hi").build()));
    }

    @Test
    void anAvatar_isCheckedWithSvcMedia_whichIsUnavailableHere() {
        final long id = newUser("avatar");
        // Nothing listens at PINHOLE_MEDIA_ADDRESS in these tests: the caller is told to retry, and nothing changed.
        assertFails(Code.UNAVAILABLE, () -> as(id).updateProfile(UpdateProfileRequest.newBuilder().setAvatarMediaId(12345).build()));
        assertThat(getUsers(id).get(id).getAvatarMediaId()).isZero();
    }

    @Test
    void mediaCount_followsMediaEvents_countingARedeliveredEventOnce() {
        final long owner = newUser("poster");
        final EventEnvelope posted = EventEnvelope.newBuilder().setEventId(UUID.randomUUID().toString()).setAggregateId(owner)
                .setMediaPosted(MediaPosted.newBuilder().setMediaId(owner + 1).setOwnerId(owner)).build();
        IdentityFixture.publish(Topics.MEDIA, posted);
        IdentityFixture.publish(Topics.MEDIA, posted); // redelivered
        IdentityFixture.publish(Topics.MEDIA, posted.toBuilder().setEventId(UUID.randomUUID().toString())
                                    .setMediaPosted(MediaPosted.newBuilder().setMediaId(owner + 2).setOwnerId(owner)).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> getUsers(owner).get(owner).getMediaCount() == 2);

        IdentityFixture.publish(Topics.MEDIA, EventEnvelope.newBuilder().setEventId(UUID.randomUUID().toString()).setAggregateId(owner)
                .setMediaDeleted(MediaDeleted.newBuilder().setMediaId(owner + 1).setOwnerId(owner)).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> getUsers(owner).get(owner).getMediaCount() == 1);
    }
}
