package io.pinhole.platform.events;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import io.grpc.stub.StreamObserver;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pinhole.platform.error.PinholeException;
import io.pinhole.queue.v1.DeadLetter;
import io.pinhole.queue.v1.GetQueueStatsRequest;
import io.pinhole.queue.v1.GetQueueStatsResponse;
import io.pinhole.queue.v1.GroupStats;
import io.pinhole.queue.v1.ListDeadLettersRequest;
import io.pinhole.queue.v1.ListDeadLettersResponse;
import io.pinhole.queue.v1.QueueAdminServiceGrpc;
import io.pinhole.queue.v1.ReplayDeadLettersRequest;
import io.pinhole.queue.v1.ReplayDeadLettersResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code pinhole.queue.v1.QueueAdminService} for one consumer group: list and replay its dead letters, and its lag
 * and pending counts. A consuming service adds it to its server next to its own service.
 */
public final class QueueAdmin extends QueueAdminServiceGrpc.QueueAdminServiceImplBase implements AutoCloseable {

    private final StatefulRedisConnection<String, byte[]> connection;
    private final StreamConsumer.Settings settings;

    public QueueAdmin(RedisClient client, StreamConsumer.Settings settings) {
        this.connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        this.settings = requireNonNull(settings, "settings");
    }

    @Override
    public void listDeadLetters(ListDeadLettersRequest request, StreamObserver<ListDeadLettersResponse> responses) {
        final int limit = request.getLimit() == 0 ? 20 : request.getLimit();
        final String afterId = request.getAfterId();
        checkTopicAndGroup(request.getTopic(), request.getGroup())
                .addIf(limit < 1 || limit > 100, "limit", "must be 1–100 (0 means 20)")
                .addIf(!afterId.isEmpty() && !afterId.matches(ENTRY_ID), "after_id", "not a stream entry ID")
                .addIf(!afterId.isEmpty() && request.getTopic().isEmpty(), "after_id", "needs a topic")
                .throwIfAny();
        final RedisCommands<String, byte[]> redis = connection.sync();
        final ListDeadLettersResponse.Builder response = ListDeadLettersResponse.newBuilder();
        final Range<String> range = afterId.isEmpty() ? Range.create("-", "+")
                : Range.from(Range.Boundary.excluding(afterId), Range.Boundary.including("+"));
        for (String topic : topics(request.getTopic())) {
            if (response.getDeadLettersCount() >= limit) {
                break;
            }
            for (StreamMessage<String, byte[]> entry : redis.xrange(
                    StreamConsumer.deadLetterStream(topic, settings.group()), range,
                    io.lettuce.core.Limit.from(limit - response.getDeadLettersCount()))) {
                response.addDeadLetters(toDeadLetter(topic, entry));
            }
        }
        responses.onNext(response.build());
        responses.onCompleted();
    }

    @Override
    public void replayDeadLetters(ReplayDeadLettersRequest request,
                                  StreamObserver<ReplayDeadLettersResponse> responses) {
        checkTopicAndGroup(request.getTopic(), request.getGroup())
                .addIf(!request.getAll() && request.getIdsCount() == 0, "ids", "name entries, or set all")
                .addIf(request.getIdsList().stream().anyMatch(id -> !id.matches(ENTRY_ID)), "ids",
                       "not a stream entry ID")
                .throwIfAny();
        final RedisCommands<String, byte[]> redis = connection.sync();
        int replayed = 0;
        for (String topic : topics(request.getTopic())) {
            final String deadStream = StreamConsumer.deadLetterStream(topic, settings.group());
            final List<StreamMessage<String, byte[]>> entries = new ArrayList<>();
            if (request.getAll()) {
                entries.addAll(redis.xrange(deadStream, Range.create("-", "+")));
            } else {
                for (String id : request.getIdsList()) {
                    entries.addAll(redis.xrange(deadStream, Range.create(id, id)));
                }
            }
            for (StreamMessage<String, byte[]> entry : entries) {
                final Map<String, byte[]> again = new HashMap<>();
                again.put(StreamConsumer.EVENT, entry.getBody().get(StreamConsumer.EVENT));
                final byte[] eventId = entry.getBody().get(StreamConsumer.EVENT_ID);
                if (eventId != null) {
                    again.put(StreamConsumer.EVENT_ID, eventId);
                }
                again.put(StreamConsumer.REPLAY_GROUP, settings.group().getBytes(StandardCharsets.UTF_8));
                again.values().removeIf(java.util.Objects::isNull);
                redis.xadd(topic, again);
                redis.xdel(deadStream, entry.getId());
                replayed++;
            }
        }
        responses.onNext(ReplayDeadLettersResponse.newBuilder().setReplayed(replayed).build());
        responses.onCompleted();
    }

    @Override
    public void getQueueStats(GetQueueStatsRequest request, StreamObserver<GetQueueStatsResponse> responses) {
        final RedisCommands<String, byte[]> redis = connection.sync();
        final GetQueueStatsResponse.Builder response = GetQueueStatsResponse.newBuilder();
        for (String topic : settings.topics()) {
            final GroupStats.Builder stats = GroupStats.newBuilder().setTopic(topic).setGroup(settings.group());
            for (Map<String, String> group : StreamTrimmer.groups(redis, topic)) {
                if (settings.group().equals(group.get("name"))) {
                    stats.setPending(Long.parseLong(group.getOrDefault("pending", "0")));
                    stats.setConsumers(Integer.parseInt(group.getOrDefault("consumers", "0")));
                    final String lag = group.get("lag");
                    stats.setLag(lag == null || "null".equals(lag) ? 0 : Long.parseLong(lag));
                }
            }
            stats.setDeadLetters(redis.xlen(StreamConsumer.deadLetterStream(topic, settings.group())));
            response.addGroups(stats);
        }
        responses.onNext(response.build());
        responses.onCompleted();
    }

    private static final String ENTRY_ID = "\\d+-\\d+";

    private PinholeException.Violations checkTopicAndGroup(String topic, String group) {
        return PinholeException.invalidArguments()
                .addIf(!topic.isEmpty() && !settings.topics().contains(topic), "topic",
                       "not a topic this service consumes: " + settings.topics())
                .addIf(!group.isEmpty() && !group.equals(settings.group()), "group",
                       "this service's consumer group is " + settings.group());
    }

    private List<String> topics(String requested) {
        return requested.isEmpty() ? settings.topics() : List.of(requested);
    }

    private DeadLetter toDeadLetter(String topic, StreamMessage<String, byte[]> entry) {
        final Map<String, byte[]> body = entry.getBody();
        final DeadLetter.Builder letter = DeadLetter.newBuilder().setId(entry.getId()).setTopic(topic)
                .setGroup(settings.group())
                .setEventId(text(body.get(StreamConsumer.EVENT_ID)))
                .setDeliveries(Integer.parseInt(text(body.get("deliveries")).isEmpty() ? "0"
                        : text(body.get("deliveries"))))
                .setLastError(text(body.get("error")));
        final byte[] event = body.get(StreamConsumer.EVENT);
        if (event != null) {
            try {
                letter.setEvent(io.pinhole.events.v1.EventEnvelope.parseFrom(event));
            } catch (com.google.protobuf.InvalidProtocolBufferException unreadable) {
                // A poison entry that is not an EventEnvelope: listed without its event.
            }
        }
        final String deadAt = text(body.get("dead_at"));
        if (!deadAt.isEmpty()) {
            final Instant at = Instant.parse(deadAt);
            letter.setDeadLetteredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()));
        }
        return letter.build();
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        connection.close();
    }
}
