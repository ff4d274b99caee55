package io.pinhole.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.events.v1.Liked;
import io.pinhole.platform.client.RedisClients;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.shard.DatabaseConfig;
import io.pinhole.platform.shard.ShardMap;
import io.pinhole.platform.shard.ShardedDatabase;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevstackExtension.class)
class OutboxRelayTest {

    private static final int SHARDS = 4;
    private static ShardedDatabase database;
    private static RedisClient redisClient;
    private static StatefulRedisConnection<String, byte[]> reader;

    @BeforeAll
    static void start(Devstack devstack) {
        devstack.postgres().createDatabase("pinhole_outbox_test");
        final DatabaseConfig config = DatabaseConfig.fromEnvironment(
                Env.of(devstack.postgres().environment()).with(Map.of(
                        "PINHOLE_LOGICAL_SHARDS", Integer.toString(SHARDS))), "pinhole_outbox_test");
        database = ShardedDatabase.open(config, configuration -> { }, null);
        database.migrate();
        redisClient = RedisClients.create(devstack.redis().uri(), Duration.ofSeconds(1));
        reader = redisClient.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    }

    @AfterAll
    static void stop() {
        reader.close();
        redisClient.shutdown();
        database.close();
    }

    private static EventEnvelope like(long mediaId, long likerId) {
        return EventEnvelope.newBuilder().setAggregateId(mediaId)
                .setLiked(Liked.newBuilder().setMediaId(mediaId).setOwnerId(1).setLikerId(likerId)).build();
    }

    /** Every published event of the likes topic, in stream order, keyed by event_id. */
    private static List<EventEnvelope> publishedLikes() {
        final List<EventEnvelope> events = new ArrayList<>();
        for (StreamMessage<String, byte[]> message : reader.sync().xrange(Topics.LIKES, Range.create("-", "+"))) {
            try {
                events.add(EventEnvelope.parseFrom(message.getBody().get("event")));
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }
        return events;
    }

    private static long unsent(int shard) {
        return database.inShard(shard, session -> {
            try (ResultSet row = session.getConnection().createStatement()
                    .executeQuery("SELECT count(*) FROM outbox WHERE sent_at IS NULL")) {
                row.next();
                return row.getLong(1);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void eventOfARolledBackTransaction_isNeverPublished() {
        final String[] eventId = new String[1];
        assertThatThrownBy(() -> database.inShard(2, session -> {
            eventId[0] = Outbox.append(session, like(424242, 1)).getEventId();
            throw new IllegalStateException("the change failed");
        })).hasMessage("the change failed");
        try (OutboxRelay relay = OutboxRelay.create(database, redisClient, OutboxRelay.Settings.defaults(), null)) {
            relay.relayOnce();
        }
        assertThat(publishedLikes()).extracting(EventEnvelope::getEventId).doesNotContain(eventId[0]);
    }

    @Test
    void committedEvents_arePublishedExactlyOnce_withTwoRelaysRacing_inOrderPerAggregate() throws Exception {
        final Set<String> committed = new HashSet<>();
        for (int i = 0; i < 1200; i++) {
            final int sequence = i;
            final long media = 7_000 + (i % 6);   // six aggregates; each lives in one shard, as a media does
            committed.add(database.inShard((int) (media % SHARDS), session ->
                    Outbox.append(session, like(media, sequence)).getEventId()));
        }
        try (OutboxRelay first = OutboxRelay.create(database, redisClient, OutboxRelay.Settings.defaults(), null);
             OutboxRelay second = OutboxRelay.create(database, redisClient, OutboxRelay.Settings.defaults(), null);
             var executor = Executors.newFixedThreadPool(2)) {
            final List<Callable<Integer>> racers = new ArrayList<>();
            for (OutboxRelay relay : List.of(first, second)) {
                racers.add(() -> {
                    int published = 0;
                    for (int pass = 0; pass < 20; pass++) {
                        published += relay.relayOnce();
                    }
                    return published;
                });
            }
            int published = 0;
            for (Future<Integer> result : executor.invokeAll(racers)) {
                published += result.get();
            }
            assertThat(published).isGreaterThanOrEqualTo(committed.size());
        }
        final List<EventEnvelope> mine = publishedLikes().stream()
                .filter(event -> committed.contains(event.getEventId())).toList();
        assertThat(mine).hasSize(committed.size());
        assertThat(mine.stream().map(EventEnvelope::getEventId).distinct()).hasSize(committed.size());
        final Map<Long, List<Long>> likersByMedia = new HashMap<>();
        for (EventEnvelope event : mine) {
            likersByMedia.computeIfAbsent(event.getAggregateId(), id -> new ArrayList<>())
                         .add(event.getLiked().getLikerId());
        }
        assertThat(likersByMedia).hasSize(6).allSatisfy((media, likers) -> assertThat(likers).isSorted());
        for (int shard = 0; shard < SHARDS; shard++) {
            assertThat(unsent(shard)).isZero();
        }
    }

    @Test
    void redisRestartedWhileTheRelayRuns_losesNoCommittedEvent_andTheRelayCatchesUp(Devstack devstack) {
        final Set<String> committed = new HashSet<>();
        try (OutboxRelay manual = OutboxRelay.create(database, redisClient, OutboxRelay.Settings.defaults(), null)) {
            manual.relayOnce(); // drain what other tests left
            devstack.redis().stop();
            try {
                for (int i = 0; i < 10; i++) {
                    final int liker = i;
                    committed.add(database.inShard(3, session -> Outbox.append(session, like(9_999, liker)))
                                          .getEventId());
                }
                assertThatThrownBy(manual::relayOnce).hasMessageContaining("Redis did not acknowledge");
                assertThat(unsent(3)).isEqualTo(10); // nothing marked sent without Redis's acknowledgement
                try (OutboxRelay running = OutboxRelay.start(database, redisClient,
                        OutboxRelay.Settings.defaults(), null)) {
                    for (int i = 10; i < 20; i++) {
                        final int liker = i;
                        committed.add(database.inShard(3, session -> Outbox.append(session, like(9_999, liker)))
                                              .getEventId());
                    }
                    devstack.redis().start();
                    await().atMost(Duration.ofSeconds(30)).until(() -> unsent(3) == 0);
                }
            } finally {
                devstack.redis().start();
            }
        }
        assertThat(publishedLikes()).extracting(EventEnvelope::getEventId).containsAll(committed);
    }

    private static double likesPublished(io.micrometer.core.instrument.MeterRegistry meters) {
        final io.micrometer.core.instrument.Counter liked =
                meters.find("pinhole.events.published").tag("event", "liked").counter();
        return liked == null ? 0 : liked.count();
    }

    @Test
    void backlogGauge_countsTheRowsLeftAfterAPass() {
        final io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try (OutboxRelay relay = OutboxRelay.create(database, redisClient,
                new OutboxRelay.Settings(10, Duration.ofMillis(20), Duration.ofHours(1), Duration.ofSeconds(2)),
                meters)) {
            while (relay.relayOnce() > 0) {
                // drain what other tests left
            }
            final double likesBefore = likesPublished(meters);
            for (int i = 0; i < 25; i++) {
                final int liker = i;
                database.inShard(0, session -> Outbox.append(session, like(31_337, liker)));
            }
            assertThat(relay.relayOnce()).isEqualTo(10);
            assertThat(meters.get("pinhole.outbox.backlog").gauge().value()).isEqualTo(15.0);
            assertThat(meters.get("pinhole.outbox.published").counter().count()).isEqualTo(10.0);
            // the business counter: the published events by type
            assertThat(likesPublished(meters)).isEqualTo(likesBefore + 10);
            relay.relayOnce();
            relay.relayOnce();
            assertThat(meters.get("pinhole.outbox.backlog").gauge().value()).isZero();
        }
    }

    @Test
    void prune_deletesSentRowsOlderThanTheRetention_andKeepsUnsentOnes() {
        database.inShard(1, session -> Outbox.append(session, like(55, 1)));
        try (OutboxRelay relay = OutboxRelay.create(database, redisClient,
                new OutboxRelay.Settings(500, Duration.ofMillis(20), Duration.ZERO, Duration.ofSeconds(2)), null)) {
            relay.relayOnce();
            database.inShard(1, session -> Outbox.append(session, like(55, 2)));
            assertThat(relay.prune()).isPositive();
        }
        assertThat(unsent(1)).isEqualTo(1);
    }
}
