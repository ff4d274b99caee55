package io.pinhole.bench;

import com.google.protobuf.Timestamp;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.server.Server;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackConfig;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.events.v1.EventLocation;
import io.pinhole.events.v1.MediaPosted;
import io.pinhole.geo.v1.GeoServiceGrpc.GeoServiceBlockingStub;
import io.pinhole.geo.v1.NearbyOrder;
import io.pinhole.geo.v1.SearchNearbyRequest;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.identity.v1.UpdateProfileRequest;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.events.Topics;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.server.Viewer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * svc-geo's SearchNearby against a real stack: 100,000 geotagged media in a 40 × 40 km area, indexed through the
 * real path (MediaPosted events on the Redis stream → svc-geo's consumer group → batched Solr writes), then
 * SearchNearby in a closed loop from {@code clients} threads: 2 km newest first anonymously, 2 km nearest first as a
 * signed-in viewer (the visibility check asks svc-identity), and 10 km nearest first. Throughput and HdrHistogram
 * p50/p99/max per call, and the indexing rate end to end.
 *
 * <p>svc-geo runs as its own JVM (as in {@code ./pinhole up}) from {@code svc-geo/target}; Solr runs in devstack's
 * JVM, identity in this one. Everything shares the machine's cores, so compare the three searches with each other.
 */
final class GeoBenchmark {

    private static final int POINTS = 100_000;
    private static final double LAT = 52.52;
    private static final double LNG = 13.405;
    private static final double HALF_SIDE_KM = 20;

    private GeoBenchmark() {}

    static void run(int clients, int seconds) throws Exception {
        try (Devstack devstack = Devstack.create(DevstackConfig.forTests())) {
            devstack.postgres().createDatabase("pinhole_identity");
            final Map<String, String> env = new HashMap<>(devstack.postgres().environment());
            env.putAll(devstack.redis().environment());
            env.putAll(devstack.memcached().environment());
            env.put("PINHOLE_IDENTITY_PORT", "0");
            env.put("PINHOLE_MEDIA_ADDRESS", "127.0.0.1:1");
            env.put("PINHOLE_ARGON2_MEMORY_KIB", "1024");
            env.put("PINHOLE_ARGON2_ITERATIONS", "1");
            env.put("PINHOLE_SIGNUPS_PER_ADDRESS", "1000000");
            final Server identityServer = PinholeServer.start(io.pinhole.identity.Main.newServer(Env.of(env)));
            final RedisClient redisClient = RedisClient.create(devstack.redis().uri());
            Process geo = null;
            try (StatefulRedisConnection<String, byte[]> redis = redisClient.connect(
                    RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
                final IdentityServiceBlockingStub identity = GrpcClients.newClient(
                        "http://127.0.0.1:" + identityServer.activeLocalPort(), IdentityServiceBlockingStub.class);
                System.out.println("seeding 100 owners (10 private) and a viewer following 5 of them…");
                final List<Long> owners = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    owners.add(identity.signUp(SignUpRequest.newBuilder().setUsername("geo_owner_" + i)
                            .setEmail("geo" + i + "@example.com").setPassword("benchmark password").build()).getUser().getId());
                }
                final long viewer = identity.signUp(SignUpRequest.newBuilder().setUsername("geo_viewer")
                        .setEmail("viewer@example.com").setPassword("benchmark password").build()).getUser().getId();
                for (int i = 0; i < 5; i++) {
                    Viewer.as(identity, viewer).follow(FollowRequest.newBuilder().setUserId(owners.get(i)).build());
                }
                for (int i = 0; i < 10; i++) {
                    Viewer.as(identity, owners.get(i)).updateProfile(UpdateProfileRequest.newBuilder().setIsPrivate(true).build());
                }

                final Map<String, String> geoEnv = new HashMap<>(env);
                geoEnv.putAll(devstack.solr().environment());
                geoEnv.put("PINHOLE_IDENTITY_ADDRESS", "127.0.0.1:" + identityServer.activeLocalPort());
                geoEnv.put("PINHOLE_QUEUE_WORKERS", "16"); // up to 16 events per Solr batch
                final ServiceProcess.Started started = ServiceProcess.start("svc-geo", "io.pinhole.geo.Main", "PINHOLE_GEO_PORT", geoEnv);
                geo = started.process();
                final GeoServiceBlockingStub stub = GrpcClients.newClient("http://" + started.address(), GeoServiceBlockingStub.class);

                System.out.printf("publishing %,d MediaPosted events (20 %% at one of 2,000 named places)…%n", POINTS);
                final long published = System.nanoTime();
                publish(redis.async(), owners);
                final String count = devstack.solr().baseUrl() + "/pinhole_geo_media/select?q=*:*&rows=0&wt=json";
                final HttpClient http = HttpClient.newHttpClient();
                long indexed = 0;
                final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (indexed < POINTS) {
                    if (System.nanoTime() > deadline || !geo.isAlive()) {
                        throw new IllegalStateException("indexing stalled at " + indexed + " (see bench/reports/svc-geo.log)");
                    }
                    geo.waitFor(1, TimeUnit.SECONDS); // a progress report once a second; returns at once if geo dies
                    indexed = numFound(http.send(HttpRequest.newBuilder(URI.create(count)).build(),
                                                 HttpResponse.BodyHandlers.ofString()).body());
                    System.out.printf("  indexed %,d%n", indexed);
                }
                final double indexSeconds = (System.nanoTime() - published) / 1e9;
                System.out.printf("indexed %,d media in %.1f s (%.0f/s end to end)%n", POINTS, indexSeconds, POINTS / indexSeconds);

                System.out.println("measuring (" + clients + " clients, " + seconds + " s each)…");
                final GeoServiceBlockingStub asViewer = Viewer.as(stub, viewer);
                final IdentityBenchmark.Result recent2 = IdentityBenchmark.measure(clients, seconds,
                        i -> search(stub, 2, NearbyOrder.NEARBY_ORDER_RECENT));
                final IdentityBenchmark.Result distance2 = IdentityBenchmark.measure(clients, seconds,
                        i -> search(asViewer, 2, NearbyOrder.NEARBY_ORDER_DISTANCE));
                final IdentityBenchmark.Result distance10 = IdentityBenchmark.measure(clients, seconds,
                        i -> search(asViewer, 10, NearbyOrder.NEARBY_ORDER_DISTANCE));

                final String report = String.format(Locale.ROOT, """
                        {"points": %d, "area_km": "40x40", "clients": %d, "seconds": %d,
                         "indexing_per_s_end_to_end": %.0f,
                         "search_nearby_2km_recent_anonymous_limit20": %s,
                         "search_nearby_2km_distance_viewer_limit20": %s,
                         "search_nearby_10km_distance_viewer_limit20": %s}
                        """, POINTS, clients, seconds, POINTS / indexSeconds, recent2.json(), distance2.json(),
                        distance10.json());
                System.out.println(report);
                Files.createDirectories(Path.of("bench/reports"));
                Files.writeString(Path.of("bench/reports/geo.json"), report);
            } finally {
                if (geo != null) {
                    geo.destroy();
                    geo.waitFor(20, TimeUnit.SECONDS);
                    geo.destroyForcibly();
                }
                identityServer.stop().join();
                redisClient.shutdown();
            }
        }
    }

    private static void search(GeoServiceBlockingStub stub, double radiusKm, NearbyOrder order) {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final double[] point = pointIn(random);
        stub.searchNearby(SearchNearbyRequest.newBuilder().setLat(point[0]).setLng(point[1]).setRadiusKm(radiusKm)
                .setOrder(order).build());
    }

    /** A uniformly random point of the benchmark's square. */
    private static double[] pointIn(Random random) {
        final double north = (random.nextDouble() * 2 - 1) * HALF_SIDE_KM;
        final double east = (random.nextDouble() * 2 - 1) * HALF_SIDE_KM;
        return new double[] {LAT + north / 111.195, LNG + east / (111.195 * Math.cos(Math.toRadians(LAT)))};
    }

    private static void publish(RedisAsyncCommands<String, byte[]> redis, List<Long> owners) throws Exception {
        final Random random = new Random(42);
        final List<double[]> places = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            places.add(pointIn(random));
        }
        final long firstId = 1L << 40;
        final List<RedisFuture<String>> pending = new ArrayList<>();
        for (int i = 0; i < POINTS; i++) {
            final long owner = owners.get(random.nextInt(owners.size()));
            final EventLocation.Builder location = EventLocation.newBuilder();
            if (random.nextInt(5) == 0) {
                final int place = random.nextInt(places.size());
                location.setName("Place " + place).setLat(places.get(place)[0]).setLng(places.get(place)[1]);
            } else {
                final double[] point = pointIn(random);
                location.setLat(point[0]).setLng(point[1]);
            }
            final Instant at = Instant.now();
            final EventEnvelope event = EventEnvelope.newBuilder().setEventId(UUID.randomUUID().toString())
                    .setAggregateId(owner).setOccurredAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))
                    .setMediaPosted(MediaPosted.newBuilder().setMediaId(firstId + i).setOwnerId(owner)
                            .setOwnerIsPrivate(owners.indexOf(owner) < 10).setLocation(location)
                            .setCreatedAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()))).build();
            pending.add(redis.xadd(Topics.MEDIA, Map.of("event", event.toByteArray(),
                    "event_id", event.getEventId().getBytes(StandardCharsets.UTF_8))));
            if (pending.size() == 1_000) {
                for (RedisFuture<String> future : pending) {
                    future.get(10, TimeUnit.SECONDS);
                }
                pending.clear();
            }
        }
        for (RedisFuture<String> future : pending) {
            future.get(10, TimeUnit.SECONDS);
        }
    }

    private static long numFound(String json) {
        final Matcher matcher = Pattern.compile("\"numFound\"\\s*:\\s*(\\d+)").matcher(json);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }
}
