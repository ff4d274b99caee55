package io.pinhole.bench;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.SessionProtocol;
import io.pinhole.platform.client.ServiceClients;
import com.spotify.folsom.MemcacheClient;
import io.lettuce.core.GetExArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pinhole.feed.v1.FeedServiceGrpc.FeedServiceBlockingStub;
import io.pinhole.feed.v1.GetHomeFeedRequest;
import io.pinhole.geo.v1.GeoServiceGrpc.GeoServiceBlockingStub;
import io.pinhole.geo.v1.SearchNearbyRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.platform.client.MediaUploads;
import io.pinhole.platform.client.MemcachedClients;
import io.pinhole.platform.client.RedisClients;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.server.Viewer;
import io.pinhole.common.v1.PageRequest;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code ./pinhole bench [--quick]}: the load generator. Against the running stack ({@code ./pinhole up}, started by
 * the script when it is not), it seeds a {@link SyntheticWorld}, measures the floor (the bare Redis and memcached
 * round trips a home feed needs; redis-benchmark for the fan-out command), then runs open-loop workloads
 * ({@link OpenLoop}, latency from the intended start): DeathStarBench's mix through GraphQL (60 % home feed, 30 % user
 * grid, 10 % post) as a rate sweep that finds the knee, feed-only through GraphQL and through gRPC, uploads, nearby,
 * and the time until a huge account's post and a regular account's post are seen by their followers. Resource use
 * per process is sampled for every phase. The report is JSON plus one self-contained HTML page under
 * {@code bench/reports/} ({@link LoadReport}).
 */
final class LoadBenchmark {

    /** The plan of one run: the quick one fits in 5 minutes on 2 cores, the full one is the reference. */
    record Plan(String name, SyntheticWorld.Size size, List<Integer> sweepRates, Duration step, int feedRate,
                int uploadRate, int nearbyRate, double p99TargetMillis, int floorSeconds, int followersChecked) {
        static final Plan QUICK = new Plan("quick", SyntheticWorld.Size.QUICK, List.of(10, 20, 40, 60, 80), Duration.ofSeconds(10),
                                           40, 4, 40, 500, 5, 40);
        static final Plan FULL = new Plan("full", SyntheticWorld.Size.FULL, List.of(10, 20, 40, 80, 120, 160, 240, 320),
                                          Duration.ofSeconds(30), 80, 8, 100, 500, 15, 2_000);
    }

    private static final String FEED_QUERY = """
            { feed(first: 20) { edges { node { id caption createdAt likeCount commentCount viewerHasLiked
              owner { username avatarUrl } images { thumbnail { url } } } } pageInfo { endCursor hasNextPage } } }""";
    private static final String GRID_QUERY = """
            query Grid($username: String!) { user(username: $username) { username followerCount
              media(first: 12) { edges { node { id likeCount images { thumbnail { url } } } } } } }""";
    private static final String POST_QUERY = """
            mutation Post($file: Upload!, $caption: String, $location: LocationInput) {
              uploadMedia(file: $file, caption: $caption, location: $location) { id } }""";

    private final Plan plan;
    private final Env env = Env.system();
    private final GraphqlHttp gateway;
    private final IdentityServiceBlockingStub identity;
    private final MediaServiceBlockingStub media;
    private final MediaServiceStub uploads;
    private final FeedServiceBlockingStub feed;
    private final GeoServiceBlockingStub geo;
    private final ProcessSampler sampler;
    private final LoadReport report;

    private LoadBenchmark(Plan plan) {
        this.plan = plan;
        gateway = new GraphqlHttp(env.integer("PINHOLE_GATEWAY_PORT", 8080));
        identity = client(PinholeService.IDENTITY, IdentityServiceBlockingStub.class);
        media = client(PinholeService.MEDIA, MediaServiceBlockingStub.class);
        uploads = client(PinholeService.MEDIA, MediaServiceStub.class);
        feed = client(PinholeService.FEED, FeedServiceBlockingStub.class);
        geo = client(PinholeService.GEO, GeoServiceBlockingStub.class);
        sampler = new ProcessSampler(Path.of(env.string("PINHOLE_STATE", ".pinhole")).resolve("pids"));
        report = new LoadReport(plan.name(), plan.p99TargetMillis());
    }

    private <T extends io.grpc.stub.AbstractStub<T>> T client(PinholeService service, Class<T> type) {
        return GrpcClients.builder(SessionProtocol.HTTP, ServiceClients.endpoints(service.address(env)))
                .responseTimeout(Duration.ofSeconds(60))
                .maxResponseLength(0).build(type);
    }

    static void run(boolean quick) throws Exception {
        new LoadBenchmark(quick ? Plan.QUICK : Plan.FULL).run();
    }

    private void run() throws Exception {
        final long started = System.nanoTime();
        System.out.printf("load benchmark (%s) against the running stack; report in bench/reports/%n", plan.name());
        final RedisClient redisClient = RedisClients.create(env);
        final MemcacheClient<byte[]> memcached = MemcachedClients.create(env);
        try (StatefulRedisConnection<String, byte[]> redis = redisClient.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
            System.out.println("seeding the world…");
            ProcessSampler.Snapshot before = sampler.sample();
            final SyntheticWorld world = SyntheticWorld.seed(plan.size(), env, identity, uploads, media, feed, memcached);
            report.phase("seed", (System.nanoTime() - started) / 1e9, ProcessSampler.between(before, sampler.sample()));
            report.world(plan.size(), world.media.size());

            floor(world, redis, memcached);
            warmUp(world);
            feedOnly(world);
            feedCapacity(world);
            mixSweep(world);
            uploads(world);
            nearby();
            reach(world);
        } finally {
            redisClient.shutdown();
            memcached.shutdown();
        }
        report.write(Path.of("bench/reports"), (System.nanoTime() - started) / 1e9);
        System.exit(0);
    }

    /**
     * The floor: the Redis and memcached round trips one home feed costs when everything is warm — the session
     * (GETEX), the timeline (GET), 20 media and their owners (two memcached multi-gets of 20 keys of ~1 KB) — done
     * back to back by a bare client with the same concurrency; and redis-benchmark's pipelined rate for the fan-out
     * command (the service's own Lua insert).
     */
    private void floor(SyntheticWorld world, StatefulRedisConnection<String, byte[]> redis, MemcacheClient<byte[]> memcached)
            throws Exception {
        System.out.println("floor: bare Redis + memcached round trips of a feed; redis-benchmark for the fan-out insert");
        final byte[] value = new byte[1024];
        final List<String> mediaKeys = new ArrayList<>();
        final List<String> userKeys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            mediaKeys.add("bench:floor:media:" + i);
            userKeys.add("bench:floor:user:" + i);
            memcached.set(mediaKeys.getLast(), value, 600).toCompletableFuture().get();
            memcached.set(userKeys.getLast(), value, 600).toCompletableFuture().get();
        }
        redis.sync().set("bench:floor:session", new byte[40]);
        redis.sync().set("bench:floor:timeline", new byte[800 * 8]);
        final ProcessSampler.Snapshot before = sampler.sample();
        final IdentityBenchmark.Result bare = IdentityBenchmark.measure(8, plan.floorSeconds(), i -> {
            redis.sync().getex("bench:floor:session", GetExArgs.Builder.ex(Duration.ofDays(30)));
            redis.sync().getrange("bench:floor:timeline", 0, 20 * 8 - 1);
            memcached.get(mediaKeys).toCompletableFuture().get();
            memcached.get(userKeys).toCompletableFuture().get();
        });
        report.phase("floor", plan.floorSeconds(), ProcessSampler.between(before, sampler.sample()));
        final String sha = redis.sync().scriptLoad(FeedBenchmark.insertScript());
        for (int i = 0; i < 10_000; i++) {
            redis.async().set(String.format("bench:floor:timeline:%012d", i), new byte[0]);
        }
        final URI redisUri = URI.create(env.string("PINHOLE_REDIS_URI", "redis://127.0.0.1:16379"));
        final double fanOut = FeedBenchmark.redisBenchmark(redisUri.getHost(), redisUri.getPort(), sha,
                                                           "bench:floor:timeline:%012d", 10_000);
        report.floor(bare.perSecond(), bare.p50(), bare.p99(), fanOut);
        System.out.printf("  feed round trips: %.0f/s p50 %.2f ms p99 %.2f ms; fan-out EVALSHA pipelined %.0f/s%n",
                          bare.perSecond(), bare.p50(), bare.p99(), fanOut);
    }

    /**
     * The mix at a low rate, not reported: the services' JIT (C1 only under {@code ./pinhole up}), connection pools and
     * caches warm up first. Without it the first workload measured the gateway's start-up: at 40 feeds/s its first
     * calls passed their 2 s deadlines and opened the circuit breakers.
     */
    private void warmUp(SyntheticWorld world) {
        System.out.println("warming up (the mix at 10/s, not reported)…");
        final OpenLoop.Result result = OpenLoop.run("warm-up", 10, plan.step().multipliedBy(2), 2_000, n -> mixRequest(world, n));
        System.out.printf("  warm-up: %d ok, %d failed%n", result.ok(), result.failed());
    }

    /** The same home feed (20 items) at the same fixed rate through GraphQL and through FeedService directly. */
    private void feedOnly(SyntheticWorld world) {
        measure("feed (GraphQL)", plan.feedRate(), plan.step(), n -> graphql(reader(world, n).token(), FEED_QUERY, Map.of()));
        measure("feed (gRPC)", plan.feedRate(), plan.step(), n -> {
            final SyntheticWorld.User viewer = reader(world, n);
            Viewer.as(feed, viewer.id()).getHomeFeed(GetHomeFeedRequest.newBuilder()
                    .setPage(PageRequest.newBuilder().setLimit(20)).build());
        });
    }

    /**
     * The most feeds per second each path serves, closed loop (8 clients back to back, after 1 s of warm-up): the
     * GraphQL query through the gateway beside GetHomeFeed(20) on FeedService directly, in the same run.
     */
    private void feedCapacity(SyntheticWorld world) throws Exception {
        System.out.println("feed capacity, closed loop, 8 clients: GraphQL through the gateway, then FeedService directly");
        ProcessSampler.Snapshot before = sampler.sample();
        final IdentityBenchmark.Result graphQl = IdentityBenchmark.measure(8, plan.floorSeconds(), n ->
                graphql(reader(world, (int) n).token(), FEED_QUERY, Map.of()));
        report.phase("feed capacity (GraphQL)", plan.floorSeconds(), ProcessSampler.between(before, sampler.sample()));
        before = sampler.sample();
        final IdentityBenchmark.Result grpc = IdentityBenchmark.measure(8, plan.floorSeconds(), n ->
                Viewer.as(feed, reader(world, (int) n).id()).getHomeFeed(GetHomeFeedRequest.newBuilder()
                        .setPage(PageRequest.newBuilder().setLimit(20)).build()));
        report.phase("feed capacity (gRPC)", plan.floorSeconds(), ProcessSampler.between(before, sampler.sample()));
        report.feedCapacity(graphQl, grpc);
        System.out.printf("  GraphQL %.0f/s p50 %.1f ms p99 %.1f ms; gRPC %.0f/s p50 %.1f ms p99 %.1f ms (gateway/direct %.2f)%n",
                          graphQl.perSecond(), graphQl.p50(), graphQl.p99(), grpc.perSecond(), grpc.p50(), grpc.p99(),
                          graphQl.perSecond() / grpc.perSecond());
    }

    /** DeathStarBench's social-network mix through GraphQL at rising rates; the knee is the last rate within target. */
    private void mixSweep(SyntheticWorld world) {
        for (int rate : plan.sweepRates()) {
            final OpenLoop.Result result = measure("mix", rate, plan.step(), n -> mixRequest(world, n));
            if (result.errorRate() > 0.2 || result.percentileMillis(99) > 10 * plan.p99TargetMillis()) {
                System.out.println("  far past the knee: the sweep stops here");
                break;
            }
        }
    }

    /** Request {@code n} of the mix: 6 in 10 a home feed, 3 a user's grid (popular users more often), 1 a post. */
    private void mixRequest(SyntheticWorld world, int n) throws Exception {
        final SyntheticWorld.User viewer = reader(world, n);
        final int pick = Math.floorMod(n * 7919, 10);
        if (pick < 6) {
            graphql(viewer.token(), FEED_QUERY, Map.of());
        } else if (pick < 9) {
            graphql(viewer.token(), GRID_QUERY, Map.of("username", world.users.get(world.zipf(world.users.size())).username()));
        } else {
            post(viewer.token(), world.header(), world.photo);
        }
    }

    private void uploads(SyntheticWorld world) {
        measure("upload (gRPC)", plan.uploadRate(), plan.step(), n ->
                MediaUploads.upload(Viewer.as(uploads, reader(world, n).id()), world.header(), world.photo, Duration.ofSeconds(60)));
    }

    private void nearby() {
        measure("nearby (gRPC)", plan.nearbyRate(), plan.step(), n -> {
            final double[] city = SyntheticWorld.CITIES[n % SyntheticWorld.CITIES.length];
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            geo.searchNearby(SearchNearbyRequest.newBuilder().setLat(city[0] + (random.nextDouble() - 0.5) * 0.05)
                    .setLng(city[1] + (random.nextDouble() - 0.5) * 0.05).setRadiusKm(2)
                    .setPage(PageRequest.newBuilder().setLimit(20)).build());
        });
    }

    /**
     * How long until followers see a post: the first huge account (over 100,000 followers, merged at read time) and
     * the most followed regular account (fanned out on write), each posting once; the time until the last of up to
     * {@code followersChecked} of their real followers finds the post on the first page of their home feed.
     */
    private void reach(SyntheticWorld world) throws Exception {
        final SyntheticWorld.User huge = world.hugeAccounts.getFirst();
        report.reach("huge account (read-time merge)", post(world, huge, world.hugeAccountFollowers));
        final SyntheticWorld.User regular = world.users.get(world.hugeAccounts.size());
        final List<SyntheticWorld.User> followers = new ArrayList<>();
        String cursor = "";
        do {
            final var page = Viewer.as(identity, regular.id()).listFollowers(
                    io.pinhole.identity.v1.ListFollowersRequest.newBuilder().setUserId(regular.id())
                            .setPage(PageRequest.newBuilder().setLimit(50).setCursor(cursor)).build());
            for (long follower : page.getUserIdsList()) {
                world.users.stream().filter(u -> u.id() == follower).findFirst().ifPresent(followers::add);
            }
            cursor = page.getPage().getNextCursor();
        } while (!cursor.isEmpty());
        report.reach("regular account, " + followers.size() + " followers (fan-out on write)", post(world, regular, followers));
    }

    private Map<String, Object> post(SyntheticWorld world, SyntheticWorld.User author, List<SyntheticWorld.User> followers)
            throws Exception {
        final List<SyntheticWorld.User> checked = followers.subList(0, Math.min(followers.size(), plan.followersChecked()));
        final long start = System.nanoTime();
        final long mediaId = MediaUploads.upload(Viewer.as(uploads, author.id()), UploadHeader.newBuilder()
                .setCaption("to everyone #reach").build(), world.photo, Duration.ofSeconds(60)).getId();
        final double uploadSeconds = (System.nanoTime() - start) / 1e9;
        final List<SyntheticWorld.User> waiting = new ArrayList<>(checked);
        final long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            waiting.removeIf(viewer -> Viewer.as(feed, viewer.id()).getHomeFeed(GetHomeFeedRequest.getDefaultInstance())
                    .getMediaIdsList().contains(mediaId));
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("  %s's post: %d of %d followers checked saw it after %.2f s (upload %.2f s)%n", author.username(),
                          checked.size() - waiting.size(), checked.size(), seconds, uploadSeconds);
        final Map<String, Object> result = new LinkedHashMap<>();
        result.put("followers_checked", checked.size());
        result.put("followers_reached", checked.size() - waiting.size());
        result.put("seconds_until_last_saw_it", seconds);
        result.put("of_which_upload_s", uploadSeconds);
        return result;
    }

    private OpenLoop.Result measure(String name, double rate, Duration duration, OpenLoop.Request request) {
        final ProcessSampler.Snapshot before = sampler.sample();
        final OpenLoop.Result result = OpenLoop.run(name, rate, duration, 2_000, request);
        report.workload(result, ProcessSampler.between(before, sampler.sample()));
        System.out.printf("  %-15s %5.0f/s offered  %6.1f/s ok  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms  errors %.2f %%%s%n",
                          name, rate, result.achievedPerSecond(), result.percentileMillis(50), result.percentileMillis(99),
                          result.latency().getMaxValue() / 1000.0, 100 * result.errorRate(),
                          result.failures().isEmpty() ? "" : "  " + result.failures());
        return result;
    }

    /** Readers are drawn uniformly: every seeded user reads their feed, as on a real home tab. */
    private static SyntheticWorld.User reader(SyntheticWorld world, int n) {
        return world.users.get((int) Math.floorMod(n * 2_654_435_761L, (long) world.users.size()));
    }

    /** One GraphQL request; fails on a non-200 status or any error in the answer. */
    private void graphql(String token, String query, Map<String, Object> variables) throws Exception {
        gateway.execute(token, query, variables);
    }

    private void post(String token, UploadHeader header, byte[] photo) throws Exception {
        final Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("caption", header.getCaption());
        variables.put("location", Map.of("name", header.getLocation().getName(), "lat", header.getLocation().getLat(),
                                         "lng", header.getLocation().getLng()));
        gateway.upload(token, POST_QUERY, variables, photo);
    }
}
