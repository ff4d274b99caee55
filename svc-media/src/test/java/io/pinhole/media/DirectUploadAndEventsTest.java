package io.pinhole.media;

import static io.pinhole.media.MediaFixture.as;
import static io.pinhole.media.MediaFixture.assertFails;
import static io.pinhole.media.MediaFixture.identity;
import static io.pinhole.media.MediaFixture.newUser;
import static io.pinhole.media.MediaFixture.upload;
import static io.pinhole.media.MediaFixture.usernameOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status.Code;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.media.image.TestImages;
import io.pinhole.media.v1.CompleteUploadRequest;
import io.pinhole.media.v1.CreateUploadUrlRequest;
import io.pinhole.media.v1.LikeRequest;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.platform.events.Topics;
import java.awt.Color;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, MediaFixture.class})
class DirectUploadAndEventsTest {

    @Test
    void aPresignedUpload_isCheckedAndPostedOnce(Devstack devstack) throws Exception {
        final long owner = newUser("direct");
        final byte[] photo = TestImages.jpeg(TestImages.solid(640, 480, Color.MAGENTA));
        final var url = as(owner).createUploadUrl(CreateUploadUrlRequest.newBuilder().setSizeBytes(photo.length).build());
        final HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(url.getUrl())).PUT(HttpRequest.BodyPublishers.ofByteArray(photo));
        url.getHeadersMap().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("content-length")) {
                put.header(name, value);
            }
        });
        assertThat(HttpClient.newHttpClient().send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);

        final CompleteUploadRequest complete = CompleteUploadRequest.newBuilder().setUploadId(url.getUploadId())
                .setHeader(UploadHeader.newBuilder().setCaption("direct #upload")).build();
        final Media media = as(owner).completeUpload(complete).getMedia();
        assertThat(media.getImages().getStandard().getWidth()).isEqualTo(640);
        assertThat(as(owner).completeUpload(complete).getMedia().getId()).isEqualTo(media.getId()); // idempotent

        final long other = newUser("thief");
        assertFails(Code.NOT_FOUND, () -> as(other).completeUpload(complete));
        assertFails(Code.INVALID_ARGUMENT, () -> as(owner).createUploadUrl(CreateUploadUrlRequest.newBuilder().setSizeBytes(0).build()), "size_bytes");
        final var unused = as(owner).createUploadUrl(CreateUploadUrlRequest.newBuilder().setSizeBytes(10).build());
        assertFails(Code.NOT_FOUND, () -> as(owner).completeUpload(CompleteUploadRequest.newBuilder().setUploadId(unused.getUploadId()).build()));
    }

    @Test
    void writesPublishEvents_andIdentityCountsTheMedia(Devstack devstack) {
        final long owner = newUser("eventful");
        final long fan = newUser("fan");
        final Media media = upload(owner, UploadHeader.newBuilder().setCaption("#Events for @" + usernameOf(fan)).build(),
                                   MediaFixture.SMALL_PHOTO);
        as(fan).like(LikeRequest.newBuilder().setMediaId(media.getId()).build());

        await().atMost(Duration.ofSeconds(15)).until(() -> streamHolds(devstack, Topics.MEDIA, event -> event.hasMediaPosted()
                && event.getMediaPosted().getMediaId() == media.getId()
                && event.getMediaPosted().getTagsList().equals(List.of("events"))
                && event.getMediaPosted().getMentionedUserIdsList().equals(List.of(fan))));
        await().atMost(Duration.ofSeconds(15)).until(() -> streamHolds(devstack, Topics.LIKES, event -> event.hasLiked()
                && event.getLiked().getMediaId() == media.getId() && event.getLiked().getLikerId() == fan
                && event.getLiked().getOwnerId() == owner));
        // svc-identity consumes MediaPosted into the owner's media_count.
        await().atMost(Duration.ofSeconds(15)).until(() -> identity(fan).getUsers(GetUsersRequest.newBuilder().addUserIds(owner).build())
                .getUsersOrThrow(owner).getMediaCount() == 1);
    }

    private static boolean streamHolds(Devstack devstack, String topic, Predicate<EventEnvelope> test) {
        final RedisClient redis = RedisClient.create(devstack.redis().uri());
        try (var connection = redis.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
            return connection.sync().xrange(topic, Range.create("-", "+")).stream().anyMatch(message -> {
                try {
                    return test.test(EventEnvelope.parseFrom(message.getBody().get("event")));
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    return false;
                }
            });
        } finally {
            redis.shutdown();
        }
    }
}
