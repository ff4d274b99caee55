package io.pinhole.notify;

import static io.pinhole.notify.NotifyFixture.notifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.identity.v1.BlockRequest;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.notify.v1.CreateSubscriptionRequest;
import io.pinhole.notify.v1.CreateSubscriptionResponse;
import io.pinhole.notify.v1.DeleteSubscriptionRequest;
import io.pinhole.notify.v1.ListSubscriptionsRequest;
import io.pinhole.notify.v1.Subscription;
import io.pinhole.notify.v1.SubscriptionObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, NotifyFixture.class})
class WebhookTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, String> query(String raw) {
        return Arrays.stream(raw == null ? new String[0] : raw.split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p.length > 1 ? p[1] : "", StandardCharsets.UTF_8)));
    }

    private static final Map<String, AtomicInteger> failuresLeft = new java.util.concurrent.ConcurrentHashMap<>();

    /** Challenges are echoed (except on /wrong-challenge); POSTs fail while their path has failures left. */
    private static void installResponder() {
        NotifyFixture.webhooks.respond = request -> {
            if (request.method().equals("GET")) {
                final Map<String, String> q = query(request.query());
                return request.path().contains("/wrong-challenge") ? new Receiver.Answer(200, "nope")
                        : new Receiver.Answer(200, q.getOrDefault("hub.challenge", ""));
            }
            final AtomicInteger left = failuresLeft.get(request.path());
            if (left != null && left.getAndDecrement() > 0) {
                return new Receiver.Answer(503, "");
            }
            return new Receiver.Answer(200, "");
        };
    }

    private static CreateSubscriptionResponse subscribeToTag(long viewer, String tag, String path) {
        installResponder();
        return notifier(viewer).createSubscription(CreateSubscriptionRequest.newBuilder()
                .setObject(SubscriptionObject.SUBSCRIPTION_OBJECT_TAG).setObjectId(tag)
                .setCallbackUrl(NotifyFixture.webhooks.url(path)).setVerifyToken("my verify token").build());
    }

    @Test
    void createSubscription_verifiesTheCallback_withAChallenge_thenListsIt() {
        final long viewer = NotifyFixture.newUser(NotifyFixture.username("sub"));
        final String path = "/hook/" + viewer;
        final CreateSubscriptionResponse created = subscribeToTag(viewer, "#Sunset", path);

        final Receiver.Request challenge = NotifyFixture.webhooks.requests.stream()
                .filter(r -> r.method().equals("GET") && r.path().equals(path)).findFirst().orElseThrow();
        final Map<String, String> q = query(challenge.query());
        assertThat(q).containsEntry("hub.mode", "subscribe").containsEntry("hub.verify_token", "my verify token")
                     .containsKey("hub.challenge");
        assertThat(created.getSigningSecret()).hasSize(64);
        assertThat(created.getSubscription().getObjectId()).isEqualTo("sunset");
        assertThat(created.getSubscription().getActive()).isTrue();
        final List<Subscription> listed = notifier(viewer).listSubscriptions(ListSubscriptionsRequest.getDefaultInstance())
                .getSubscriptionsList();
        assertThat(listed).containsExactly(created.getSubscription());
    }

    @Test
    void createSubscription_whenTheChallengeIsNotEchoed_isFailedPrecondition() {
        final long viewer = NotifyFixture.newUser(NotifyFixture.username("sub"));
        installResponder();
        final var error = catchThrowableOfType(StatusRuntimeException.class, () -> notifier(viewer).createSubscription(
                CreateSubscriptionRequest.newBuilder().setObject(SubscriptionObject.SUBSCRIPTION_OBJECT_TAG)
                        .setObjectId("cats").setCallbackUrl(NotifyFixture.webhooks.url("/wrong-challenge")).build()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(notifier(viewer).listSubscriptions(ListSubscriptionsRequest.getDefaultInstance())
                .getSubscriptionsList()).isEmpty();
    }

    @Test
    void createSubscription_badRequests_haveExactCodes() {
        final long viewer = NotifyFixture.newUser(NotifyFixture.username("sub"));
        final CreateSubscriptionRequest valid = CreateSubscriptionRequest.newBuilder()
                .setObject(SubscriptionObject.SUBSCRIPTION_OBJECT_USER).setObjectId(Long.toString(viewer))
                .setCallbackUrl(NotifyFixture.webhooks.url("/codes")).build();
        final Map<CreateSubscriptionRequest, Status.Code> cases = Map.of(
                valid.toBuilder().setObject(SubscriptionObject.SUBSCRIPTION_OBJECT_UNSPECIFIED).build(), Status.Code.INVALID_ARGUMENT,
                valid.toBuilder().setObjectId("not-a-number").build(), Status.Code.INVALID_ARGUMENT,
                valid.toBuilder().setCallbackUrl("ftp://example.com/hook").build(), Status.Code.INVALID_ARGUMENT,
                // Cloud metadata: refused even with local development's private-address allowance.
                valid.toBuilder().setCallbackUrl("http://169.254.169.254/latest/meta-data").build(), Status.Code.INVALID_ARGUMENT,
                valid.toBuilder().setObjectId(Long.toString(viewer + 1)).build(), Status.Code.NOT_FOUND);
        cases.forEach((request, code) -> assertThat(catchThrowableOfType(StatusRuntimeException.class,
                () -> notifier(viewer).createSubscription(request)).getStatus().getCode()).as(request.toString()).isEqualTo(code));
    }

    @Test
    void callbackUrls_toLoopbackLinkLocalOrPrivateAddresses_areRefused_withoutTheDevelopmentFlag() {
        for (String url : List.of("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook",
                "http://10.1.2.3/hook", "http://172.16.0.1/hook", "http://192.168.1.1/hook",
                "http://169.254.169.254/hook", "http://100.64.0.1/hook", "http://[fd00::1]/hook",
                "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook", "http://2130706433/hook")) {
            assertThat(CallbackUrls.check(url, false).allowed()).as(url).isFalse();
        }
        assertThat(CallbackUrls.check("http://8.8.8.8/hook", false).allowed()).isTrue();
        assertThat(CallbackUrls.check("http://127.0.0.1:8080/hook", true).allowed()).isTrue();
        assertThat(CallbackUrls.check("http://169.254.169.254/hook", true).allowed()).isFalse();
        assertThat(CallbackUrls.check("http://user:pw@8.8.8.8/hook", false).allowed()).isFalse();
    }

    @Test
    void aPostWithTheTag_isDelivered_signedWithTheSubscriptionsSecret() throws Exception {
        final long subscriber = NotifyFixture.newUser(NotifyFixture.username("sub"));
        final String tag = "tag" + subscriber;
        final String path = "/signed/" + subscriber;
        final CreateSubscriptionResponse created = subscribeToTag(subscriber, tag, path);
        final long poster = NotifyFixture.newUser(NotifyFixture.username("poster"));
        final long media = NotifyFixture.post(poster, UploadHeader.newBuilder().setCaption("look #" + tag).build()).getId();

        await().atMost(Duration.ofSeconds(20)).until(() -> !NotifyFixture.webhooks.posts(path).isEmpty());
        final Receiver.Request delivery = NotifyFixture.webhooks.posts(path).get(0);
        assertThat(delivery.header("X-Pinhole-Signature"))
                .isEqualTo("sha256=" + Webhooks.sign(created.getSigningSecret(), delivery.body()));
        final JsonNode change = JSON.readTree(delivery.body()).get(0);
        assertThat(change.get("subscription_id").asText()).isEqualTo(Long.toString(created.getSubscription().getId()));
        assertThat(change.get("object").asText()).isEqualTo("tag");
        assertThat(change.get("object_id").asText()).isEqualTo(tag);
        assertThat(change.at("/data/media_id").asText()).isEqualTo(Long.toString(media));
    }

    @Test
    void aPostAtAWatchedPlace_isDelivered_onceSvcGeoHasPlacedIt() throws Exception {
        final long poster = NotifyFixture.newUser(NotifyFixture.username("placer"));
        final String name = "Café Lünå " + poster; // svc-geo folds accents and case: one place
        final io.pinhole.media.v1.Location here = io.pinhole.media.v1.Location.newBuilder()
                .setName(name).setLat(38.7139).setLng(-9.1300).build();
        final long first = NotifyFixture.post(poster, UploadHeader.newBuilder().setLocation(here).build()).getId();
        final io.pinhole.geo.v1.GetMediaPlacesRequest places =
                io.pinhole.geo.v1.GetMediaPlacesRequest.newBuilder().addMediaIds(first).build();
        await().atMost(Duration.ofSeconds(20))
               .until(() -> NotifyFixture.geo(poster).getMediaPlaces(places).getPlacesMap().containsKey(first));
        final long place = NotifyFixture.geo(poster).getMediaPlaces(places).getPlacesMap().get(first).getId();

        final long subscriber = NotifyFixture.newUser(NotifyFixture.username("sub"));
        final String path = "/place/" + subscriber;
        installResponder();
        final CreateSubscriptionResponse created = notifier(subscriber).createSubscription(CreateSubscriptionRequest.newBuilder()
                .setObject(SubscriptionObject.SUBSCRIPTION_OBJECT_LOCATION).setObjectId(Long.toString(place))
                .setCallbackUrl(NotifyFixture.webhooks.url(path)).setVerifyToken("places").build());
        // 50 m away, the same name written differently: the same place
        final long second = NotifyFixture.post(poster, UploadHeader.newBuilder().setLocation(here.toBuilder()
                .setName("cafe luna " + poster).setLat(38.7143)).build()).getId();

        await().atMost(Duration.ofSeconds(30)).until(() -> !NotifyFixture.webhooks.posts(path).isEmpty());
        final Receiver.Request delivery = NotifyFixture.webhooks.posts(path).get(0);
        assertThat(delivery.header("X-Pinhole-Signature"))
                .isEqualTo("sha256=" + Webhooks.sign(created.getSigningSecret(), delivery.body()));
        final JsonNode change = JSON.readTree(delivery.body()).get(0);
        assertThat(change.get("object").asText()).isEqualTo("location");
        assertThat(change.get("object_id").asText()).isEqualTo(Long.toString(place));
        assertThat(change.at("/data/media_id").asText()).isEqualTo(Long.toString(second));
    }

    @Test
    void aFailingReceiver_isRetried_untilItAccepts() {
        final long subscriber = NotifyFixture.newUser(NotifyFixture.username("sub"));
        final String path = "/flaky/" + subscriber;
        notifier(subscriber).createSubscription(CreateSubscriptionRequest.newBuilder()
                .setObject(SubscriptionObject.SUBSCRIPTION_OBJECT_USER).setObjectId(Long.toString(subscriber))
                .setCallbackUrl(NotifyFixture.webhooks.url(path)).build());
        failuresLeft.put(path, new AtomicInteger(2));
        NotifyFixture.post(subscriber, UploadHeader.newBuilder().setCaption("own post").build());

        // Two 503s, then 200: three POSTs, and the subscription stays active (2 failures < 3).
        await().atMost(Duration.ofSeconds(20)).until(() -> NotifyFixture.webhooks.posts(path).size() >= 3);
        assertThat(notifier(subscriber).listSubscriptions(ListSubscriptionsRequest.getDefaultInstance())
                .getSubscriptions(0).getActive()).isTrue();
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
               .until(() -> NotifyFixture.webhooks.posts(path).size() == 3);
    }

    @Test
    void aReceiverThatKeepsFailing_isDisabled() {
        final long subscriber = NotifyFixture.newUser(NotifyFixture.username("sub"));
        final String path = "/down/" + subscriber;
        notifier(subscriber).createSubscription(CreateSubscriptionRequest.newBuilder()
                .setObject(SubscriptionObject.SUBSCRIPTION_OBJECT_USER).setObjectId(Long.toString(subscriber))
                .setCallbackUrl(NotifyFixture.webhooks.url(path)).build());
        failuresLeft.put(path, new AtomicInteger(Integer.MAX_VALUE));
        NotifyFixture.post(subscriber, UploadHeader.newBuilder().setCaption("into the void").build());

        await().atMost(Duration.ofSeconds(20)).until(() -> !notifier(subscriber)
                .listSubscriptions(ListSubscriptionsRequest.getDefaultInstance()).getSubscriptions(0).getActive());
        assertThat(NotifyFixture.webhooks.posts(path)).hasSize(3);
    }

    @Test
    void subscribersBlockedByTheOwner_getNothing_andDeleteIsIdempotent() {
        final long subscriber = NotifyFixture.newUser(NotifyFixture.username("sub"));
        final long owner = NotifyFixture.newUser(NotifyFixture.username("owner"));
        final String blockedPath = "/blocked/" + subscriber;
        final String tag = "tag" + subscriber;
        final long blockedSubscription = subscribeToTag(subscriber, tag, blockedPath).getSubscription().getId();
        final long watcher = NotifyFixture.newUser(NotifyFixture.username("watcher"));
        final String watcherPath = "/watcher/" + watcher;
        subscribeToTag(watcher, tag, watcherPath);
        NotifyFixture.identity(owner).block(BlockRequest.newBuilder().setUserId(subscriber).build());
        NotifyFixture.post(owner, UploadHeader.newBuilder().setCaption("#" + tag).build());

        await().atMost(Duration.ofSeconds(20)).until(() -> !NotifyFixture.webhooks.posts(watcherPath).isEmpty());
        assertThat(NotifyFixture.webhooks.posts(blockedPath)).isEmpty();

        final DeleteSubscriptionRequest delete = DeleteSubscriptionRequest.newBuilder()
                .setSubscriptionId(blockedSubscription).build();
        assertThat(notifier(watcher).deleteSubscription(delete).getDeleted()).isFalse(); // not theirs
        assertThat(notifier(subscriber).deleteSubscription(delete).getDeleted()).isTrue();
        assertThat(notifier(subscriber).deleteSubscription(delete).getDeleted()).isFalse();
        assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> notifier(subscriber)
                .deleteSubscription(DeleteSubscriptionRequest.getDefaultInstance())).getStatus().getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
    }
}
