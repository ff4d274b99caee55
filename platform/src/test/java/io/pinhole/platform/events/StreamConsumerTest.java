package io.pinhole.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.events.v1.Liked;
import io.pinhole.platform.client.RedisClients;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.shard.DatabaseConfig;
import io.pinhole.platform.shard.ShardedDatabase;
import io.pinhole.platform.testing.RunningService;
import io.pinhole.queue.v1.DeadLetter;
import io.pinhole.queue.v1.GetQueueStatsRequest;
import io.pinhole.queue.v1.GroupStats;
import io.pinhole.queue.v1.ListDeadLettersRequest;
import io.pinhole.queue.v1.QueueAdminServiceGrpc.QueueAdminServiceBlockingStub;
import io.pinhole.queue.v1.ReplayDeadLettersRequest;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevstackExtension.class)
class StreamConsumerTest {

    private static ShardedDatabase database;
    private static RedisClient redisClient;
    private static StatefulRedisConnection<String, byte[]> connection;
    private static RedisCommands<String, byte[]> redis;

    @BeforeAll
    static void start(Devstack devstack) {
        devstack.postgres().createDatabase("pinhole_queue_test");
        database = ShardedDatabase.open(DatabaseConfig.fromEnvironment(Env.of(devstack.postgres().environment())
                .with(Map.of("PINHOLE_LOGICAL_SHARDS", "2")), "pinhole_queue_test"), configuration -> { }, null);
        database.migrate("classpath:db/platform-test");
        redisClient = RedisClients.create(devstack.redis().uri(), Duration.ofSeconds(2));
        connection = redisClient.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        redis = connection.sync();
    }

    @AfterAll
    static void stop() {
        connection.close();
        redisClient.shutdown();
        database.close();
    }

    private static String topic() {
        return "test.events." + UUID.randomUUID();
    }

    private static EventEnvelope like(long liker) {
        return EventEnvelope.newBuilder().setEventId(UUID.randomUUID().toString()).setAggregateId(1)
                .setLiked(Liked.newBuilder().setMediaId(1).setLikerId(liker)).build();
    }

    private static void publish(String topic, EventEnvelope event) {
        redis.xadd(topic, Map.of(StreamConsumer.EVENT, event.toByteArray(),
                                 StreamConsumer.EVENT_ID, event.getEventId().getBytes(StandardCharsets.UTF_8)));
    }

    private static long pending(String topic, String group) {
        return redis.xpending(topic, group).getCount();
    }

    private static StreamConsumer.Settings fast(String group, String topic) {
        return StreamConsumer.Settings.of(group, List.of(topic))
                .withRedelivery(Duration.ofMillis(300), 3, Duration.ofMillis(10), Duration.ofMillis(50));
    }

    @Test
    void everyEvent_isHandled_thenAcknowledged() {
        final String topic = topic();
        final Set<String> handled = ConcurrentHashMap.newKeySet();
        try (StreamConsumer consumer = StreamConsumer.start(redisClient, fast("svc-a", topic),
                event -> handled.add(event.getEventId()), null)) {
            for (int i = 0; i < 50; i++) {
                publish(topic, like(i));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> handled.size() == 50);
            await().atMost(Duration.ofSeconds(5)).until(() -> pending(topic, "svc-a") == 0);
        }
    }

    @Test
    void consumerStartedWhileRedisIsDown_consumesOnceRedisIsBack(Devstack devstack) {
        final String topic = topic();
        final Set<String> handled = ConcurrentHashMap.newKeySet();
        devstack.redis().stop();
        try (StreamConsumer consumer = StreamConsumer.start(redisClient, fast("svc-late", topic),
                event -> handled.add(event.getEventId()), null)) {
            devstack.redis().start();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                publish(topic, like(1));
                return true;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> !handled.isEmpty());
        } finally {
            devstack.redis().start();
        }
    }

    @Test
    void workerKilledBetweenSideEffectAndAck_anotherWorkerGetsIt_andTheEffectHappensOnce() throws Exception {
        final String topic = topic();
        final EventEnvelope event = like(4242);
        final CountDownLatch effectDone = new CountDownLatch(1);
        final Set<String> seenByB = ConcurrentHashMap.newKeySet();
        final EventHandler sideEffect = received -> database.inShard(0, session -> {
            if (ProcessedEvents.firstTime(session, "svc-kill", received.getEventId())) {
                insertItem(session);
            }
            return null;
        });
        final StreamConsumer a = StreamConsumer.start(redisClient, fast("svc-kill", topic).withWorkers(1), received -> {
            sideEffect.handle(received);
            effectDone.countDown();
            new CountDownLatch(1).await(); // the worker hangs here until it is killed: no acknowledgement
        }, null);
        publish(topic, event);
        assertThat(effectDone.await(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        a.close(); // the worker dies between its side effect and its acknowledgement

        try (StreamConsumer b = StreamConsumer.start(redisClient, fast("svc-kill", topic).withWorkers(1), received -> {
            seenByB.add(received.getEventId());
            sideEffect.handle(received);
        }, null)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> pending(topic, "svc-kill") == 0);
        }
        assertThat(seenByB).containsExactly(event.getEventId());
        assertThat(items()).isEqualTo(1);
    }

    @Test
    void poisonEvent_endsInTheDeadLetterStream_afterTheConfiguredDeliveries_andCanBeReplayed() {
        final String topic = topic();
        final AtomicBoolean poisoned = new AtomicBoolean(true);
        final Set<Long> handled = ConcurrentHashMap.newKeySet();
        final StreamConsumer.Settings settings = fast("svc-poison", topic);
        try (StreamConsumer consumer = StreamConsumer.start(redisClient, settings, event -> {
                 if (event.getLiked().getLikerId() == 666 && poisoned.get()) {
                     throw new IllegalStateException("cannot digest liker 666");
                 }
                 handled.add(event.getLiked().getLikerId());
             }, null);
             QueueAdmin admin = new QueueAdmin(redisClient, settings);
             RunningService service = RunningService.start(
                     PinholeServer.builder("svc-poison").port(0).service(admin).build())) {
            publish(topic, like(1));
            publish(topic, like(666));
            publish(topic, like(2));
            final QueueAdminServiceBlockingStub stub = service.client(QueueAdminServiceBlockingStub.class);
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    stub.listDeadLetters(ListDeadLettersRequest.getDefaultInstance()).getDeadLettersCount() == 1);
            assertThat(handled).containsExactlyInAnyOrder(1L, 2L);

            final DeadLetter letter = stub.listDeadLetters(ListDeadLettersRequest.getDefaultInstance())
                                          .getDeadLetters(0);
            assertThat(letter.getDeliveries()).isEqualTo(3);
            assertThat(letter.getLastError()).contains("cannot digest liker 666");
            assertThat(letter.getTopic()).isEqualTo(topic);
            assertThat(letter.getEvent().getLiked().getLikerId()).isEqualTo(666);
            assertThat(stub.listDeadLetters(ListDeadLettersRequest.newBuilder().setTopic(topic)
                    .setAfterId(letter.getId()).build()).getDeadLettersCount()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> pending(topic, "svc-poison") == 0);
            final GroupStats stats = stub.getQueueStats(GetQueueStatsRequest.getDefaultInstance()).getGroups(0);
            assertThat(stats.getDeadLetters()).isEqualTo(1);
            assertThat(stats.getPending()).isZero();
            assertThat(stats.getConsumers()).isEqualTo(2);

            poisoned.set(false);
            assertThat(stub.replayDeadLetters(ReplayDeadLettersRequest.newBuilder().addIds(letter.getId()).build())
                           .getReplayed()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(20)).until(() -> handled.contains(666L));
            assertThat(stub.listDeadLetters(ListDeadLettersRequest.getDefaultInstance()).getDeadLettersCount())
                    .isZero();

            for (ReplayDeadLettersRequest bad : List.of(
                    ReplayDeadLettersRequest.getDefaultInstance(),
                    ReplayDeadLettersRequest.newBuilder().addIds("not-an-id").build(),
                    ReplayDeadLettersRequest.newBuilder().setAll(true).setTopic("no.such.topic").build())) {
                final var error = catchThrowableOfType(StatusRuntimeException.class,
                        () -> stub.replayDeadLetters(bad));
                assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            }
            for (ListDeadLettersRequest bad : List.of(
                    ListDeadLettersRequest.newBuilder().setLimit(1000).build(),
                    ListDeadLettersRequest.newBuilder().setGroup("svc-someone-else").build(),
                    ListDeadLettersRequest.newBuilder().setTopic(topic).setAfterId("yesterday").build())) {
                final var error = catchThrowableOfType(StatusRuntimeException.class, () -> stub.listDeadLetters(bad));
                assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            }
        }
    }

    @Test
    void replayForOneGroup_isSkippedByTheOtherGroups() {
        final String topic = topic();
        final Set<String> other = ConcurrentHashMap.newKeySet();
        try (StreamConsumer consumer = StreamConsumer.start(redisClient, fast("svc-other", topic),
                event -> other.add(event.getEventId()), null)) {
            final EventEnvelope event = like(9);
            redis.xadd(topic, Map.of(StreamConsumer.EVENT, event.toByteArray(),
                                     StreamConsumer.REPLAY_GROUP, "svc-someone-else".getBytes(StandardCharsets.UTF_8)));
            publish(topic, like(10));
            await().atMost(Duration.ofSeconds(20)).until(() -> other.size() == 1 && pending(topic, "svc-other") == 0);
            assertThat(other).doesNotContain(event.getEventId());
        }
    }

    @Test
    void trimming_neverDropsWhatAGroupHasNotAcknowledged() {
        final String topic = topic();
        for (String group : List.of("g1", "g2")) {
            redis.xgroupCreate(StreamOffset.from(topic, "0-0"), group, XGroupCreateArgs.Builder.mkstream());
        }
        for (int i = 0; i < 10; i++) {
            publish(topic, like(i));
        }
        acknowledge(topic, "g1", 10);
        assertThat(StreamTrimmer.trimAcknowledged(redis, topic)).isZero(); // g2 has read nothing yet
        final List<StreamMessage<String, byte[]>> g2 = redis.xreadgroup(Consumer.from("g2", "c"),
                XReadArgs.Builder.count(10), StreamOffset.lastConsumed(topic));
        redis.xack(topic, "g2", g2.subList(0, 4).stream().map(StreamMessage::getId).toArray(String[]::new));
        assertThat(StreamTrimmer.trimAcknowledged(redis, topic)).isEqualTo(4);
        assertThat(redis.xlen(topic)).isEqualTo(6);
    }

    @Test
    void aGroupWhosePendingEntriesWereAcknowledgedMeanwhile_trimsUpToItsLastDelivered_insteadOfFailing() {
        // XINFO said "1 pending", the entry was acknowledged before XPENDING answered with no oldest entry.
        assertThat(StreamTrimmer.boundary(null, "1700000000000-7")).isEqualTo("1700000000000-8");
        assertThat(StreamTrimmer.boundary("1699999999999-0", "1700000000000-7")).isEqualTo("1699999999999-0");
    }

    @Test
    void committedOutboxEvents_reachTheHandler_throughTheRelay() {
        final Set<String> committed = ConcurrentHashMap.newKeySet();
        final Set<String> handled = ConcurrentHashMap.newKeySet();
        try (OutboxRelay relay = OutboxRelay.start(database, redisClient, OutboxRelay.Settings.defaults(), null);
             StreamConsumer consumer = StreamConsumer.start(redisClient,
                     fast("svc-e2e-" + UUID.randomUUID(), Topics.LIKES), event -> handled.add(event.getEventId()),
                     null)) {
            for (int i = 0; i < 100; i++) {
                final int liker = i;
                committed.add(database.inShard(i % 2, session -> Outbox.append(session, like(liker))).getEventId());
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> handled.containsAll(committed));
        }
    }

    private static void acknowledge(String topic, String group, int count) {
        final List<StreamMessage<String, byte[]>> read = redis.xreadgroup(Consumer.from(group, "c"),
                XReadArgs.Builder.count(count), StreamOffset.lastConsumed(topic));
        redis.xack(topic, group, read.stream().map(StreamMessage::getId).toArray(String[]::new));
    }

    private static void insertItem(org.apache.ibatis.session.SqlSession session) {
        try {
            session.getConnection().createStatement().execute("INSERT INTO items (worker) VALUES (777)");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long items() {
        return database.inShard(0, session -> {
            try (ResultSet row = session.getConnection().createStatement()
                    .executeQuery("SELECT count(*) FROM items WHERE worker = 777")) {
                row.next();
                return row.getLong(1);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
