package io.pinhole.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pinhole.events.v1.MediaPosted;
import io.pinhole.geo.v1.GeoServiceGrpc.GeoServiceBlockingStub;
import io.pinhole.geo.v1.GetMediaPlacesRequest;
import io.pinhole.geo.v1.Place;
import io.pinhole.identity.v1.GetRelationshipsRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.Relationship;
import io.pinhole.platform.server.Viewer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Real-time subscriptions: the challenge at creation, and deliveries. A MediaPosted finds the active subscriptions of
 * its owner and of each tag (one indexed query in the object's shard each) and becomes one WEBHOOK job per
 * subscription, in the subscription's shard; a post with a location first waits (WEBHOOK_LOCATION, retried) until
 * svc-geo has assigned it a place. A delivery re-checks visibility as the subscriber (blocks, a private owner the
 * subscriber does not follow) and the callback's addresses, then POSTs the update signed with the subscription's
 * secret. Failures count on the subscription; enough of them in a row over long enough deactivate it.
 */
final class Webhooks {

    static final String SIGNATURE_HEADER = "X-Pinhole-Signature";

    private final NotifyStore store;
    private final SecretBox secrets;
    private final IdentityServiceBlockingStub identity;
    private final GeoServiceBlockingStub geo;
    private final NotifySettings settings;
    private final HttpClient http;
    private final MeterRegistry meters;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    Webhooks(NotifyStore store, SecretBox secrets, IdentityServiceBlockingStub identity, GeoServiceBlockingStub geo,
             NotifySettings settings, MeterRegistry meters) {
        this.store = store;
        this.secrets = secrets;
        this.identity = identity;
        this.geo = geo;
        this.settings = settings;
        this.meters = meters;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.httpTimeout())
                              .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The challenge GET: 2xx with exactly the challenge as body. */
    boolean challenge(URI callback, String verifyToken, String challenge) {
        final StringBuilder query = new StringBuilder("hub.mode=subscribe&hub.challenge=").append(challenge);
        if (!verifyToken.isEmpty()) {
            query.append("&hub.verify_token=").append(URLEncoder.encode(verifyToken, StandardCharsets.UTF_8));
        }
        final String base = callback.toString();
        final URI uri = URI.create(base + (callback.getRawQuery() == null ? "?" : "&") + query);
        try {
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(settings.httpTimeout())
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() / 100 == 2 && response.body().strip().equals(challenge);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    static String associatedData(long subscriptionId) {
        return "webhook:" + subscriptionId;
    }

    // ---- from events ----

    List<Jobs.NewJob> onMediaPosted(MediaPosted posted, Instant at) {
        final List<Jobs.NewJob> jobs = new ArrayList<>();
        addDeliveries(jobs, NotifyStore.USER, Long.toString(posted.getOwnerId()), posted, at);
        for (String tag : posted.getTagsList()) {
            addDeliveries(jobs, NotifyStore.TAG, tag, posted, at);
        }
        if (posted.hasLocation() && !posted.getLocation().getName().isEmpty()) {
            jobs.add(new Jobs.NewJob(store.userShard(posted.getOwnerId()), Jobs.Kind.WEBHOOK_LOCATION,
                    "whloc:" + posted.getMediaId(), media(posted, at), at));
        }
        return jobs;
    }

    private static ObjectNode media(MediaPosted posted, Instant at) {
        return Jobs.JSON.createObjectNode().put("media", posted.getMediaId()).put("owner", posted.getOwnerId())
                .put("ownerPrivate", posted.getOwnerIsPrivate()).put("time", at.getEpochSecond());
    }

    private void addDeliveries(List<Jobs.NewJob> jobs, int object, String objectId, MediaPosted posted, Instant at) {
        for (NotifyMapper.Subscription subscription : store.activeSubscriptions(object, objectId)) {
            jobs.add(delivery(subscription, object, objectId, media(posted, at), at));
        }
    }

    private Jobs.NewJob delivery(NotifyMapper.Subscription subscription, int object, String objectId, ObjectNode media,
                                 Instant at) {
        final ObjectNode payload = media.deepCopy().put("subscription", subscription.id).put("object", object)
                                        .put("objectId", objectId);
        return new Jobs.NewJob(store.objectShard(object, objectId), Jobs.Kind.WEBHOOK,
                               "wh:" + subscription.id + ":" + media.get("media").asLong(), payload, at);
    }

    // ---- jobs ----

    /** Finds the place svc-geo gave the media (throws, so retried, until it has one) and its subscriptions. */
    Jobs.Result location(Jobs.Job job) {
        final long mediaId = job.payload().get("media").asLong();
        final Place place = Viewer.as(geo, job.payload().get("owner").asLong())
                .getMediaPlaces(GetMediaPlacesRequest.newBuilder().addMediaIds(mediaId).build()).getPlacesMap().get(mediaId);
        if (place == null) {
            throw new IllegalStateException("media " + mediaId + " has no place yet");
        }
        final String objectId = Long.toString(place.getId());
        final List<Jobs.NewJob> deliveries = new ArrayList<>();
        for (NotifyMapper.Subscription subscription : store.activeSubscriptions(NotifyStore.LOCATION, objectId)) {
            deliveries.add(delivery(subscription, NotifyStore.LOCATION, objectId, job.payload(), Instant.now()));
        }
        return new Jobs.Result("resolved", deliveries);
    }

    Jobs.Result deliver(Jobs.Job job) throws Exception {
        final ObjectNode p = job.payload();
        final NotifyMapper.Subscription subscription = store.subscription(p.get("subscription").asLong());
        if (subscription == null || !subscription.active) {
            return done("inactive");
        }
        final long owner = p.get("owner").asLong();
        if (subscription.subscriberId != owner) {
            final Relationship relationship = Viewer.as(identity, subscription.subscriberId).getRelationships(
                    GetRelationshipsRequest.newBuilder().addUserIds(owner).build()).getRelationshipsMap().get(owner);
            if (relationship == null || relationship.getBlocking() || relationship.getBlockedBy()
                || p.get("ownerPrivate").asBoolean() && !relationship.getFollowing()) {
                return done("invisible");
            }
        }
        final CallbackUrls.Verdict verdict = CallbackUrls.check(subscription.callbackUrl, settings.allowPrivateCallbacks());
        if (!verdict.allowed()) {
            return done("refused");
        }
        final byte[] body = body(subscription, p);
        final String secret = secrets.open(subscription.secret, associatedData(subscription.id));
        int status = 0;
        String error = null;
        try {
            status = http.send(HttpRequest.newBuilder(verdict.uri()).timeout(settings.httpTimeout())
                    .header("Content-Type", "application/json")
                    .header(SIGNATURE_HEADER, "sha256=" + sign(secret, body))
                    .header("X-Pinhole-Delivery", Long.toString(job.id()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            error = e.toString();
        }
        if (status / 100 == 2) {
            store.recordDeliverySuccess(subscription.id);
            return done("delivered");
        }
        count("failed_attempt");
        if (!store.recordDeliveryFailure(subscription.id, settings.webhookDisableFailures(), settings.webhookDisableAfter())) {
            count("disabled");
            return done("disabled");
        }
        throw new IllegalStateException("callback answered " + (error != null ? error : "HTTP " + status));
    }

    /** Instagram's real-time shape: a JSON array of changes; IDs as strings (JavaScript numbers stop at 2^53). */
    private static byte[] body(NotifyMapper.Subscription subscription, ObjectNode p) {
        final ArrayNode changes = Jobs.JSON.createArrayNode();
        final ObjectNode change = changes.addObject();
        change.put("subscription_id", Long.toString(subscription.id));
        change.put("object", switch (subscription.object) {
            case NotifyStore.USER -> "user";
            case NotifyStore.TAG -> "tag";
            default -> "location";
        });
        change.put("object_id", subscription.objectId);
        change.put("changed_aspect", "media");
        change.put("time", p.get("time").asLong());
        change.putObject("data").put("media_id", p.get("media").asText()).put("owner_id", p.get("owner").asText());
        try {
            return Jobs.JSON.writeValueAsBytes(changes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(String secret, byte[] body) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Jobs.Result done(String outcome) {
        count(outcome);
        return Jobs.Result.done(outcome);
    }

    private void count(String outcome) {
        counters.computeIfAbsent(outcome, key -> Counter.builder("pinhole.notify.webhooks").tag("outcome", outcome)
                .description("webhook deliveries by outcome (failed_attempt: one failed try)").register(meters)).increment();
    }
}
