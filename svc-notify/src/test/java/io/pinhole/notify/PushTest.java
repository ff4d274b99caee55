package io.pinhole.notify;

import static io.pinhole.notify.NotifyFixture.notifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.identity.v1.BlockRequest;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.media.v1.AddCommentRequest;
import io.pinhole.media.v1.LikeRequest;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.notify.v1.DevicePlatform;
import io.pinhole.notify.v1.RegisterDeviceRequest;
import io.pinhole.notify.v1.UpdateNotificationPreferencesRequest;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.shard.ShardMap;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, NotifyFixture.class})
class PushTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static long userWithApnsDevice(String token, String locale) {
        final long user = NotifyFixture.newUser(NotifyFixture.username("push"));
        notifier(user).registerDevice(RegisterDeviceRequest.newBuilder().setPlatform(DevicePlatform.DEVICE_PLATFORM_APNS)
                .setToken(token).setLocale(locale).build());
        return user;
    }

    private static JsonNode onlyPush(String token) throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> !NotifyFixture.apnsPayloadsFor(token).isEmpty());
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
               .until(() -> NotifyFixture.apnsPayloadsFor(token).size() == 1);
        return JSON.readTree(NotifyFixture.apnsPayloadsFor(token).get(0));
    }

    @Test
    void aBurstOfLikes_isOnePush_namingTheLatestLikerAndCountingTheOthers() throws Exception {
        final String token = NotifyFixture.apnsToken();
        final long owner = userWithApnsDevice(token, "en-US");
        final long media = NotifyFixture.post(owner, UploadHeader.newBuilder().setCaption("burst").build()).getId();
        String lastName = null;
        for (int i = 0; i < 4; i++) {
            lastName = NotifyFixture.username("liker");
            final long liker = NotifyFixture.newUser(lastName);
            NotifyFixture.media(liker).like(LikeRequest.newBuilder().setMediaId(media).build());
        }

        final JsonNode payload = onlyPush(token);
        assertThat(payload.at("/aps/alert/body").asText()).isEqualTo(lastName + " and 3 others liked your photo.");
        assertThat(payload.at("/aps/alert/loc-key").asText()).isEqualTo("LIKE_MANY");
        assertThat(payload.at("/aps/alert/loc-args/1").asText()).isEqualTo("3");
        assertThat(payload.at("/aps/badge").asInt()).isPositive();
        assertThat(payload.get("deep_link").asText()).isEqualTo("pinhole://media/" + media);
    }

    @Test
    void blockedLikers_areLeftOut_ofTheBurst() throws Exception {
        final String token = NotifyFixture.apnsToken();
        final long owner = userWithApnsDevice(token, "");
        final long media = NotifyFixture.post(owner, UploadHeader.newBuilder().setCaption("block").build()).getId();
        final String keptName = NotifyFixture.username("kept");
        final long kept = NotifyFixture.newUser(keptName);
        final long blocked = NotifyFixture.newUser(NotifyFixture.username("blocked"));
        NotifyFixture.media(kept).like(LikeRequest.newBuilder().setMediaId(media).build());
        NotifyFixture.media(blocked).like(LikeRequest.newBuilder().setMediaId(media).build());
        NotifyFixture.identity(owner).block(BlockRequest.newBuilder().setUserId(blocked).build());

        assertThat(onlyPush(token).at("/aps/alert/body").asText()).isEqualTo(keptName + " liked your photo.");
    }

    @Test
    void aMutedKind_isNotPushed_whileOtherKindsAre() throws Exception {
        final String token = NotifyFixture.apnsToken();
        final long owner = userWithApnsDevice(token, "en");
        notifier(owner).updateNotificationPreferences(UpdateNotificationPreferencesRequest.newBuilder()
                .setComments(false).build());
        final long media = NotifyFixture.post(owner, UploadHeader.newBuilder().setCaption("muted").build()).getId();
        final long fan = NotifyFixture.newUser(NotifyFixture.username("fan"));
        NotifyFixture.media(fan).addComment(AddCommentRequest.newBuilder().setMediaId(media).setText("nice").build());
        NotifyFixture.media(fan).like(LikeRequest.newBuilder().setMediaId(media).build());

        // The comment is handled first (pushed at once), the like a window later: one push, the like's.
        assertThat(onlyPush(token).at("/aps/alert/loc-key").asText()).isEqualTo("LIKE_ONE");
    }

    @Test
    void aMention_inACaption_pushesTheMentionedUser() throws Exception {
        final String token = NotifyFixture.apnsToken();
        final String mentionedName = NotifyFixture.username("mentioned");
        final long mentioned = NotifyFixture.newUser(mentionedName);
        notifier(mentioned).registerDevice(RegisterDeviceRequest.newBuilder()
                .setPlatform(DevicePlatform.DEVICE_PLATFORM_APNS).setToken(token).build());
        final String posterName = NotifyFixture.username("poster");
        final long poster = NotifyFixture.newUser(posterName);
        final long media = NotifyFixture.post(poster, UploadHeader.newBuilder().setCaption("with @" + mentionedName)
                                                                  .build()).getId();

        final JsonNode payload = onlyPush(token);
        assertThat(payload.at("/aps/alert/body").asText()).isEqualTo(posterName + " mentioned you in a post.");
        assertThat(payload.get("deep_link").asText()).isEqualTo("pinhole://media/" + media);
    }

    @Test
    void aComment_reachesFcm_inTheDevicesLanguage_withTheV1Shape() throws Exception {
        final long owner = NotifyFixture.newUser(NotifyFixture.username("fcm"));
        final String token = "fcm-ok-" + owner;
        notifier(owner).registerDevice(RegisterDeviceRequest.newBuilder().setPlatform(DevicePlatform.DEVICE_PLATFORM_FCM)
                .setToken(token).setLocale("es-MX").setAppId("io.pinhole.android").build());
        final long media = NotifyFixture.post(owner, UploadHeader.newBuilder().setCaption("fcm").build()).getId();
        final String authorName = NotifyFixture.username("author");
        final long author = NotifyFixture.newUser(authorName);
        NotifyFixture.media(author).addComment(AddCommentRequest.newBuilder().setMediaId(media).setText("¡qué bonito!")
                                                                .build());

        final String path = "/v1/projects/" + NotifyFixture.FCM_PROJECT + "/messages:send";
        await().atMost(Duration.ofSeconds(20)).until(() -> NotifyFixture.fcm.posts(path).stream()
                .anyMatch(r -> r.text().contains(token)));
        final Receiver.Request request = NotifyFixture.fcm.posts(path).stream().filter(r -> r.text().contains(token))
                .findFirst().orElseThrow();
        assertThat(request.header("Authorization")).isEqualTo("Bearer fcm-test-access-token");
        final JsonNode message = JSON.readTree(request.text()).get("message");
        assertThat(message.get("token").asText()).isEqualTo(token);
        assertThat(message.at("/notification/body").asText()).isEqualTo(authorName + " comentó: ¡qué bonito!");
        assertThat(message.at("/android/notification/body_loc_key").asText()).isEqualTo("COMMENT");
        assertThat(message.at("/android/restricted_package_name").asText()).isEqualTo("io.pinhole.android");
        assertThat(message.at("/data/deep_link").asText()).isEqualTo("pinhole://media/" + media);
    }

    @Test
    void tokensThePushServicesCallInvalid_areRemoved(Devstack devstack) throws Exception {
        final long followee = NotifyFixture.newUser(NotifyFixture.username("invalid"));
        final String deadApns = "ab".repeat(32); // well-formed, but not registered for the topic at the mock
        final String deadFcm = "fcm-dead-" + followee;
        notifier(followee).registerDevice(RegisterDeviceRequest.newBuilder()
                .setPlatform(DevicePlatform.DEVICE_PLATFORM_APNS).setToken(deadApns).build());
        notifier(followee).registerDevice(RegisterDeviceRequest.newBuilder()
                .setPlatform(DevicePlatform.DEVICE_PLATFORM_FCM).setToken(deadFcm).build());
        assertThat(devices(devstack, followee)).containsExactlyInAnyOrder(deadApns, deadFcm);

        final long follower = NotifyFixture.newUser(NotifyFixture.username("follower"));
        NotifyFixture.identity(follower).follow(FollowRequest.newBuilder().setUserId(followee).build());

        await().atMost(Duration.ofSeconds(20)).until(() -> devices(devstack, followee).isEmpty());
        assertThat(NotifyFixture.apnsRejected).contains("DEVICE_TOKEN_NOT_FOR_TOPIC");
    }

    private static List<String> devices(Devstack devstack, long user) throws Exception {
        final int shard = PinholeIds.shard(user);
        try (Connection connection = devstack.postgres().server(shard < 8 ? 0 : 1)
                .connect(PinholeService.NOTIFY.databaseName());
             PreparedStatement select = connection.prepareStatement(
                     "SELECT token FROM " + ShardMap.schemaOf(shard) + ".devices WHERE user_id = ?")) {
            select.setLong(1, user);
            final List<String> tokens = new java.util.ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    tokens.add(rows.getString(1));
                }
            }
            return tokens;
        }
    }
}
