package io.pinhole.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pinhole.identity.v1.GetRelationshipsRequest;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.Relationship;
import io.pinhole.identity.v1.User;
import io.pinhole.platform.server.Viewer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Pushes, in two job steps. A NOTIFICATION job (in the recipient's shard) decides whether and what to push, reading
 * current state: the recipient's preferences, blocks either way between them and each actor (identity), the actors'
 * usernames; it then hands one PUSH job per device, rendered in the device's language. A PUSH job sends through APNs
 * or FCM, checks first that the token still belongs to the recipient, and forgets a token the service calls invalid.
 * One device failing is retried alone.
 *
 * <p>Bursts: likes of one media and new followers aggregate. The first event of a burst opens a window in Redis
 * (key per recipient + kind + media) and schedules one NOTIFICATION at window end; the next ones only add their actor
 * to the window's sorted set; the job takes the set atomically ("x and 9 others liked your photo") and the next
 * event opens a new window. A per-actor "seen" set (a day) makes a redelivered event, or like-unlike-like, count once.
 */
final class Notifications {

    /** What happened, which preference governs it, and whether bursts aggregate. */
    enum Kind {
        LIKE(p -> p.likes, true),
        FOLLOW(p -> p.follows, true),
        COMMENT(p -> p.comments, false),
        FOLLOW_REQUEST(p -> p.followRequests, false),
        FOLLOW_ACCEPTED(p -> p.follows, false),
        MENTION_COMMENT(p -> p.mentions, false),
        MENTION_MEDIA(p -> p.mentions, false);

        final Predicate<NotifyMapper.Preferences> wanted;
        final boolean aggregated;

        Kind(Predicate<NotifyMapper.Preferences> wanted, boolean aggregated) {
            this.wanted = wanted;
            this.aggregated = aggregated;
        }
    }

    private static final int SHOWN = 2;
    private static final Duration SEEN = Duration.ofDays(1);
    private static final Duration BADGE = Duration.ofDays(30);

    /** Adds an actor to a burst; answers the open window's ID (null: actor already counted and window closed). */
    private static final String ADD = """
            local added = redis.call('SADD', KEYS[3], ARGV[1])
            redis.call('PEXPIRE', KEYS[3], ARGV[5])
            local window = redis.call('GET', KEYS[2])
            if added == 1 then
              redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
              redis.call('PEXPIRE', KEYS[1], ARGV[4])
              if not window then
                redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
                window = ARGV[3]
              end
            end
            return window""";

    /** Takes a window's actors once (a retried job reads the same taken set): {count, most recent first}. */
    private static final String TAKE = """
            if redis.call('EXISTS', KEYS[3]) == 0 and redis.call('GET', KEYS[2]) == ARGV[1] then
              redis.call('DEL', KEYS[2])
              if redis.call('EXISTS', KEYS[1]) == 1 then
                redis.call('RENAME', KEYS[1], KEYS[3])
                redis.call('PEXPIRE', KEYS[3], ARGV[2])
              end
            end
            return {redis.call('ZCARD', KEYS[3]), redis.call('ZREVRANGE', KEYS[3], 0, 99)}""";

    private final NotifyStore store;
    private final RedisCommands<String, String> redis;
    private final IdentityServiceBlockingStub identity;
    private final Map<Integer, PushSender> senders;
    private final Duration window;
    private final MeterRegistry meters;
    private final Map<String, Counter> pushes = new ConcurrentHashMap<>();

    Notifications(NotifyStore store, RedisCommands<String, String> redis, IdentityServiceBlockingStub identity,
                  Map<Integer, PushSender> senders, Duration window, MeterRegistry meters) {
        this.store = store;
        this.redis = redis;
        this.identity = identity;
        this.senders = senders;
        this.window = window;
        this.meters = meters;
    }

    // ---- from events ----

    /** A notification of one actor's act, pushed at once. */
    Jobs.NewJob single(long recipient, Kind kind, long actor, long mediaId, String text, String dedupe,
                       Instant now, long ownerId, boolean ownerPrivate) {
        final ObjectNode payload = Jobs.JSON.createObjectNode().put("recipient", recipient).put("kind", kind.name())
                .put("media", mediaId).put("text", text).put("owner", ownerId).put("ownerPrivate", ownerPrivate);
        payload.putArray("actors").add(actor);
        return new Jobs.NewJob(store.userShard(recipient), Jobs.Kind.NOTIFICATION,
                               "n:" + kind + ":" + recipient + ":" + dedupe, payload, now);
    }

    /**
     * Adds the actor to the recipient's burst; the window's NOTIFICATION job (inserted once) when one is open. The
     * window runs from when the first event is handled, not from when it happened, so queue lag cannot shrink it.
     */
    Optional<Jobs.NewJob> aggregate(long recipient, Kind kind, long actor, long mediaId, String eventId, Instant at) {
        final String group = kind == Kind.LIKE ? "like:" + mediaId : "follow";
        final String windowId = redis.eval(ADD, ScriptOutputType.VALUE,
                new String[] {NotifyKeys.burst(recipient, group), NotifyKeys.burstOpen(recipient, group),
                              NotifyKeys.burstSeen(recipient, group)},
                Long.toString(actor), Long.toString(at.toEpochMilli()), eventId,
                Long.toString(window.plus(Duration.ofDays(1)).toMillis()), Long.toString(SEEN.toMillis()));
        if (windowId == null) {
            return Optional.empty();
        }
        final ObjectNode payload = Jobs.JSON.createObjectNode().put("recipient", recipient).put("kind", kind.name())
                .put("media", mediaId).put("group", group).put("window", windowId);
        return Optional.of(new Jobs.NewJob(store.userShard(recipient), Jobs.Kind.NOTIFICATION,
                "agg:" + recipient + ":" + group + ":" + windowId, payload, Instant.now().plus(window)));
    }

    /** An unlike inside the window takes the actor out of the count. */
    void retract(long recipient, long actor, long mediaId) {
        redis.zrem(NotifyKeys.burst(recipient, "like:" + mediaId), Long.toString(actor));
    }

    // ---- jobs ----

    Jobs.Result notification(Jobs.Job job) {
        final ObjectNode p = job.payload();
        final long recipient = p.get("recipient").asLong();
        final Kind kind = Kind.valueOf(p.get("kind").asText());
        final long mediaId = p.path("media").asLong();
        if (!kind.wanted.test(store.preferences(recipient))) {
            return Jobs.Result.done("muted");
        }
        final List<Long> actors = new ArrayList<>();
        long total;
        if (kind.aggregated) {
            final String group = p.get("group").asText();
            final String windowId = p.get("window").asText();
            final List<Object> taken = redis.eval(TAKE, ScriptOutputType.MULTI,
                    new String[] {NotifyKeys.burst(recipient, group), NotifyKeys.burstOpen(recipient, group),
                                  NotifyKeys.burstTaken(recipient, group, windowId)},
                    windowId, Long.toString(SEEN.toMillis()));
            total = (Long) taken.get(0);
            for (Object member : (List<?>) taken.get(1)) {
                actors.add(Long.parseLong(String.valueOf(member)));
            }
        } else {
            p.get("actors").forEach(actor -> actors.add(actor.asLong()));
            total = actors.size();
        }
        if (actors.isEmpty()) {
            return Jobs.Result.done("empty");
        }
        final IdentityServiceBlockingStub asRecipient = Viewer.as(identity, recipient);
        final List<Long> asked = new ArrayList<>(actors);
        final boolean privateMedia = kind == Kind.MENTION_MEDIA && p.path("ownerPrivate").asBoolean();
        final Map<Long, Relationship> relationships = asRecipient.getRelationships(
                GetRelationshipsRequest.newBuilder().addAllUserIds(asked).build()).getRelationshipsMap();
        final List<Long> allowed = new ArrayList<>();
        for (long actor : actors) {
            final Relationship relationship = relationships.get(actor);
            if (relationship != null && !relationship.getBlocking() && !relationship.getBlockedBy()
                && (!privateMedia || relationship.getFollowing())) {
                allowed.add(actor);
            }
        }
        total -= actors.size() - allowed.size();
        if (allowed.isEmpty()) {
            return Jobs.Result.done("blocked");
        }
        final List<Long> shownIds = allowed.subList(0, Math.min(SHOWN, allowed.size()));
        final Map<Long, User> users = asRecipient.getUsers(GetUsersRequest.newBuilder().addAllUserIds(shownIds).build())
                                                 .getUsersMap();
        final List<String> names = new ArrayList<>();
        for (long id : shownIds) {
            if (users.containsKey(id)) {
                names.add(users.get(id).getUsername());
            }
        }
        if (names.isEmpty()) {
            return Jobs.Result.done("blocked");
        }
        final List<NotifyMapper.Device> devices = store.devices(recipient);
        if (devices.isEmpty()) {
            return Jobs.Result.done("no_devices");
        }
        final long badge = redis.incr(NotifyKeys.badge(recipient));
        redis.pexpire(NotifyKeys.badge(recipient), BADGE.toMillis());
        final String deepLink = switch (kind) {
            case FOLLOW, FOLLOW_REQUEST, FOLLOW_ACCEPTED -> "pinhole://user/" + allowed.get(0);
            default -> "pinhole://media/" + mediaId;
        };
        final String collapseId = kind.aggregated ? p.get("group").asText() : kind.name().toLowerCase() + ":" + job.id();
        final List<Jobs.NewJob> pushes = new ArrayList<>();
        for (NotifyMapper.Device device : devices) {
            final PushTexts.Text text = PushTexts.render(device.locale, kind.name(), names, total, p.path("text").asText());
            final ObjectNode push = Jobs.JSON.createObjectNode().put("recipient", recipient)
                    .put("platform", device.platform).put("token", device.token).put("appId", device.appId)
                    .put("body", text.body()).put("locKey", text.locKey()).put("badge", badge)
                    .put("deepLink", deepLink).put("collapseId", collapseId);
            final ArrayNode args = push.putArray("locArgs");
            text.args().forEach(args::add);
            pushes.add(new Jobs.NewJob(job.shard(), Jobs.Kind.PUSH, "push:" + job.id() + ":" + device.platform + ":"
                    + HexFormat.of().formatHex(NotifyStore.tokenHash(device.token)), push, Instant.now()));
        }
        return new Jobs.Result("fanned_out", pushes);
    }

    Jobs.Result push(Jobs.Job job) throws Exception {
        final ObjectNode p = job.payload();
        final long recipient = p.get("recipient").asLong();
        final int platform = p.get("platform").asInt();
        final String token = p.get("token").asText();
        final Long owner = store.deviceOwner(platform, token);
        if (owner == null || owner != recipient) {
            store.unregisterDevice(recipient, platform, token);
            return Jobs.Result.done("moved");
        }
        final PushSender sender = senders.get(platform);
        final String platformName = platform == 1 ? "apns" : "fcm";
        if (sender == null) {
            count(platformName, "unconfigured");
            return Jobs.Result.done("unconfigured");
        }
        final List<String> args = new ArrayList<>();
        p.path("locArgs").forEach((JsonNode arg) -> args.add(arg.asText()));
        final PushSender.Outcome outcome;
        try {
            outcome = sender.send(new PushMessage(token, p.path("appId").asText(), p.get("body").asText(),
                    p.get("locKey").asText(), args, p.get("badge").asInt(), p.get("deepLink").asText(),
                    p.get("collapseId").asText()));
        } catch (Exception e) {
            count(platformName, "error");
            throw e;
        }
        count(platformName, outcome.name().toLowerCase());
        if (outcome == PushSender.Outcome.INVALID_TOKEN) {
            store.unregisterDevice(recipient, platform, token);
        }
        return Jobs.Result.done(outcome.name().toLowerCase());
    }

    private void count(String platform, String outcome) {
        pushes.computeIfAbsent(platform + "/" + outcome, key -> Counter.builder("pinhole.notify.pushes")
                .tag("platform", platform).tag("outcome", outcome)
                .description("pushes by push service and answer").register(meters)).increment();
    }

    static Map<Integer, PushSender> senders(PushSender apns, PushSender fcm) {
        final Map<Integer, PushSender> senders = new HashMap<>();
        if (apns != null) {
            senders.put(1, apns);
        }
        if (fcm != null) {
            senders.put(2, fcm);
        }
        return senders;
    }
}
