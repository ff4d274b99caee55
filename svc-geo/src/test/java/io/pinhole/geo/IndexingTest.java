package io.pinhole.geo;

import static io.pinhole.geo.GeoFixture.anonymous;
import static io.pinhole.geo.GeoFixture.newArea;
import static io.pinhole.geo.GeoFixture.newUser;
import static io.pinhole.geo.GeoFixture.offset;
import static io.pinhole.geo.GeoFixture.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.events.v1.EventLocation;
import io.pinhole.events.v1.MediaDeleted;
import io.pinhole.events.v1.MediaPosted;
import io.pinhole.geo.v1.GeoServiceGrpc.GeoServiceBlockingStub;
import io.pinhole.geo.v1.GetMediaPlacesRequest;
import io.pinhole.geo.v1.NearbyMedia;
import io.pinhole.geo.v1.NearbyOrder;
import io.pinhole.geo.v1.Place;
import io.pinhole.geo.v1.SearchNearbyRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.platform.client.ServiceClients;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.events.Topics;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.testing.RunningService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.solr.client.solrj.SolrQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, GeoFixture.class})
class IndexingTest {

    private static final Duration INDEXED = Duration.ofSeconds(20);
    private static RedisClient redisClient;
    private static StatefulRedisConnection<String, byte[]> redis;

    @BeforeAll
    static void connect(Devstack devstack) {
        redisClient = RedisClient.create(devstack.redis().uri());
        redis = redisClient.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    }

    @AfterAll
    static void disconnect() {
        redis.close();
        redisClient.shutdown();
    }

    /** Publishes {@code event} on its topic as a producer's relay does; the entry's ID. */
    private static String publish(EventEnvelope event) {
        return redis.sync().xadd(Topics.of(event), Map.of("event", event.toByteArray(),
                "event_id", event.getEventId().getBytes(StandardCharsets.UTF_8)));
    }

    /** Until the geo group has handled and acknowledged everything up to {@code entryId} of the media topic. */
    private static void awaitHandled(String entryId) {
        await().atMost(INDEXED).untilAsserted(() -> {
            final Map<String, Object> group = redis.sync().xinfoGroups(Topics.MEDIA).stream()
                    .map(IndexingTest::fields).filter(g -> "geo".equals(g.get("name"))).findFirst().orElseThrow();
            assertThat(compare(String.valueOf(group.get("last-delivered-id")), entryId)).isGreaterThanOrEqualTo(0);
            assertThat(((Number) group.get("pending")).longValue()).isZero();
        });
    }

    private static Map<String, Object> fields(Object raw) {
        final List<?> list = (List<?>) raw;
        final Map<String, Object> fields = new HashMap<>();
        for (int i = 0; i + 1 < list.size(); i += 2) {
            final Object value = list.get(i + 1);
            fields.put(text(list.get(i)), value instanceof byte[] || value instanceof java.nio.ByteBuffer ? text(value) : value);
        }
        return fields;
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
                : value instanceof java.nio.ByteBuffer buffer ? StandardCharsets.UTF_8.decode(buffer.duplicate()).toString()
                : String.valueOf(value);
    }

    private static int compare(String a, String b) {
        final String[] x = a.split("-");
        final String[] y = b.split("-");
        final int millis = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
        return millis != 0 ? millis : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
    }

    private static EventEnvelope posted(long mediaId, long owner, String name, double[] point) {
        final Instant now = Instant.now();
        return EventEnvelope.newBuilder().setEventId(UUID.randomUUID().toString()).setAggregateId(owner)
                .setOccurredAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
                .setMediaPosted(MediaPosted.newBuilder().setMediaId(mediaId).setOwnerId(owner).addTags("geo")
                        .setLocation(EventLocation.newBuilder().setName(name).setLat(point[0]).setLng(point[1]))
                        .setCreatedAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))).build();
    }

    private static List<Long> nearby(GeoServiceBlockingStub geo, double[] point) {
        return geo.searchNearby(SearchNearbyRequest.newBuilder().setLat(point[0]).setLng(point[1]).setRadiusKm(1)
                .setOrder(NearbyOrder.NEARBY_ORDER_DISTANCE).build()).getMediaList().stream().map(NearbyMedia::getMediaId).toList();
    }

    private static long documents(String query) throws Exception {
        return GeoFixture.solr().query("pinhole_geo_media", new SolrQuery(query)).getResults().getNumFound();
    }

    @Test
    void theSameEvent_deliveredTwice_leavesOneDocument_andOnePlace() throws Exception {
        final double[] center = newArea();
        final long owner = newUser("twice");
        final long mediaId = (1L << 50) + System.nanoTime() % 1_000_000;
        final EventEnvelope event = posted(mediaId, owner, "Twice Square", center);
        publish(event);
        awaitHandled(publish(event));
        // A third delivery, in another batch, after the first two were searchable.
        await().atMost(INDEXED).until(() -> documents("media_id:" + mediaId) == 1);
        awaitHandled(publish(event.toBuilder().setEventId(UUID.randomUUID().toString()).build()));

        await().atMost(INDEXED).untilAsserted(() -> assertThat(nearby(anonymous(), center)).containsExactly(mediaId));
        assertThat(documents("media_id:" + mediaId)).isEqualTo(1);
        final Place place = anonymous().getMediaPlaces(GetMediaPlacesRequest.newBuilder().addMediaIds(mediaId).build())
                                       .getPlacesOrThrow(mediaId);
        assertThat(place.getMediaCount()).isEqualTo(1);
        assertThat(GeoFixture.solr().query("pinhole_geo_places", new SolrQuery("name_key:\"twice square\""))
                .getResults().getNumFound()).isEqualTo(1);
    }

    @Test
    void aMediaPosted_redeliveredAfterItsMediaDeleted_doesNotBringItBack() throws Exception {
        final double[] center = newArea();
        final long owner = newUser("zombie");
        final long mediaId = (1L << 51) + System.nanoTime() % 1_000_000;
        final EventEnvelope event = posted(mediaId, owner, "", center);
        publish(event);
        publish(EventEnvelope.newBuilder().setEventId(UUID.randomUUID().toString()).setAggregateId(owner)
                .setMediaDeleted(MediaDeleted.newBuilder().setMediaId(mediaId).setOwnerId(owner)).build());
        awaitHandled(publish(event));

        await().atMost(INDEXED).until(() -> documents("media_id:" + mediaId + " AND deleted:true") == 1);
        assertThat(nearby(anonymous(), center)).isEmpty();
        assertThat(documents("media_id:" + mediaId)).isEqualTo(1);
    }

    @Test
    void replicasStartingAtOnce_allApplyTheSchema_noneFailsOnAFieldAnotherJustAdded() throws Exception {
        final String suffix = UUID.randomUUID().toString().substring(0, 8);
        final Map<String, String> env = new HashMap<>(GeoFixture.geoEnvironment());
        env.put("PINHOLE_GEO_SOLR_MEDIA_COLLECTION", "replicas_media_" + suffix);
        env.put("PINHOLE_GEO_SOLR_PLACES_COLLECTION", "replicas_places_" + suffix);
        final SolrSettings settings = SolrSettings.fromEnvironment(Env.of(env));
        final java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(4);
        final List<java.util.concurrent.Callable<Void>> replicas = java.util.Collections.nCopies(4, () -> {
            try (GeoSolr solr = GeoSolr.connect(settings)) {
                together.await();
                solr.ensureSchema();
            }
            return null;
        });
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            for (var started : pool.invokeAll(replicas)) {
                started.get(); // throws when a replica's start-up failed
            }
        }
        final var fields = new org.apache.solr.client.solrj.request.schema.SchemaRequest.Fields()
                .process(GeoFixture.solr(), "replicas_places_" + suffix).getFields();
        assertThat(fields).extracting(field -> field.get("name")).contains("first_media_id");
    }

    @Test
    void rebuild_reindexesEveryGeotaggedMedia_fromPostgres_intoANewCluster() throws Exception {
        final double[] center = newArea();
        final long owner = newUser("rebuild");
        final long named = post(owner, "Rebuild Plaza", center);
        final long sameNamed = post(owner, "rebuild plaza", offset(center, 0.02, 0));
        final long bare = post(owner, "", offset(center, 0.3, 0));
        final long gone = post(owner, "Rebuild Plaza", offset(center, 0.01, 0));
        GeoFixture.delete(owner, gone);
        await().atMost(INDEXED).untilAsserted(() -> assertThat(nearby(anonymous(), center)).containsExactly(named, sameNamed, bare));

        // A new, empty cluster: other collection names on the same Solr.
        final String suffix = Long.toString(System.nanoTime() % 1_000_000, 36);
        final Map<String, String> env = new HashMap<>(GeoFixture.geoEnvironment());
        env.put("PINHOLE_GEO_SOLR_MEDIA_COLLECTION", "rebuilt_media_" + suffix);
        env.put("PINHOLE_GEO_SOLR_PLACES_COLLECTION", "rebuilt_places_" + suffix);
        env.put("PINHOLE_GEO_REBUILD_BATCH", "7"); // several batches per shard
        final Rebuild.Result result = Rebuild.run(Env.of(env));
        assertThat(result.indexed()).isGreaterThanOrEqualTo(3);
        assertThat(result.deleted()).isGreaterThanOrEqualTo(1);
        assertThat(GeoFixture.solr().query("rebuilt_media_" + suffix, new SolrQuery("location:[* TO *]")).getResults()
                .getNumFound()).isEqualTo(result.indexed());

        // The rebuilt collections serve the same answers (a geo without consumer, reading them).
        env.put("PINHOLE_GEO_PORT", "0");
        final Env rebuilt = Env.of(env);
        final GeoSolr solr = GeoSolr.connect(SolrSettings.fromEnvironment(rebuilt));
        final PinholeServer.Builder builder = PinholeServer.builder(PinholeService.GEO, rebuilt);
        builder.service(new GeoService(new GeoSearch(solr), ServiceClients.create("identity", GeoFixture.identityAddress(),
                IdentityServiceBlockingStub.class, ServiceClients.Settings.defaults()))).closeOnStop(solr);
        try (RunningService geo = RunningService.start(builder.build())) {
            final GeoServiceBlockingStub stub = geo.client(GeoServiceBlockingStub.class);
            assertThat(nearby(stub, center)).containsExactly(named, sameNamed, bare);
            final Map<Long, Place> places = stub.getMediaPlaces(GetMediaPlacesRequest.newBuilder()
                    .addMediaIds(named).addMediaIds(sameNamed).addMediaIds(bare).addMediaIds(gone).build()).getPlacesMap();
            assertThat(places).containsOnlyKeys(named, sameNamed);
            assertThat(places.get(named).getId()).isEqualTo(places.get(sameNamed).getId());
            assertThat(places.get(named).getName()).isEqualTo("Rebuild Plaza");
            assertThat(places.get(named).getMediaCount()).isEqualTo(2);
        }
    }
}
