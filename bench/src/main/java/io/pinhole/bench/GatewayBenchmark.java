package io.pinhole.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.server.Server;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackConfig;
import io.pinhole.feed.v1.FeedServiceGrpc.FeedServiceBlockingStub;
import io.pinhole.feed.v1.GetHomeFeedRequest;
import io.pinhole.feed.v1.GetHomeFeedResponse;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.identity.v1.SignUpResponse;
import io.pinhole.media.v1.LikeRequest;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.platform.client.MediaUploads;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.server.Viewer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import javax.imageio.ImageIO;

/**
 * The home feed through the whole public path beside the same feed from svc-feed directly, in one run: the GraphQL
 * {@code feed(first: 20)} query a client app sends (owner's username and avatar, like and comment counts,
 * viewerHasLiked) over HTTP through the gateway, and {@code FeedService.GetHomeFeed(limit 20)} over gRPC — the call
 * at the heart of that query, whose answer already carries the page's media and owners. Closed loop: {@code clients}
 * threads back to back for {@code seconds} each, after an unreported warm-up; throughput, p50/p99/max and the ratio.
 *
 * <p>devstack (PostgreSQL ×2, Redis, memcached, S3), svc-identity, svc-media and svc-feed run in this JVM as in the
 * other service benchmarks (so under this JVM's flags: {@code ./pinhole bench} gives it C1 only and the serial GC);
 * the gateway runs in its own JVM from {@code graphql-gateway/target}, its jar and {@code lib/} with 512 MB of heap as
 * {@code ./pinhole up} runs it, but with the JVM's default JIT and GC ({@link ServiceProcess}) — Spring Boot and DGS
 * bring their own dependency versions, which must not mix with the services'. Both paths reach the same services.
 * Everything shares the machine's cores, so the ratio says more than the absolute figures; the load average before
 * and after is in the report.
 */
final class GatewayBenchmark {

    /** The feed as a client app asks for it; the field names are the schema's (DESIGN.md). */
    static final String FEED_QUERY = """
            { feed(first: 20) { edges { cursor node { id caption createdAt likeCount commentCount viewerHasLiked
              owner { username avatarUrl } } } pageInfo { hasNextPage endCursor } } }""";

    private static final int AUTHORS = 5;
    private static final int POSTS_PER_AUTHOR = 10;
    private static final int PAGE = 20;
    /**
     * Unreported time per path before measuring: the gateway's JVM starts cold, and at a few dozen feeds a second a
     * shorter warm-up is only a couple of hundred requests for its JIT.
     */
    private static final int WARM_UP_SECONDS = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    private GatewayBenchmark() {}

    static void run(int clients, int seconds) throws Exception {
        try (Devstack devstack = Devstack.create(DevstackConfig.forTests())) {
            devstack.postgres().createDatabase("pinhole_identity");
            devstack.postgres().createDatabase("pinhole_media");
            final Map<String, String> env = new HashMap<>(devstack.postgres().environment());
            env.putAll(devstack.redis().environment());
            env.putAll(devstack.memcached().environment());
            env.putAll(Map.of("PINHOLE_IDENTITY_PORT", "0", "PINHOLE_MEDIA_PORT", "0", "PINHOLE_FEED_PORT", "0",
                              // seeding speed only: no measured call hashes a password
                              "PINHOLE_ARGON2_MEMORY_KIB", "1024", "PINHOLE_ARGON2_ITERATIONS", "1"));
            final Server identityServer = PinholeServer.start(io.pinhole.identity.Main.newServer(Env.of(env)));
            env.put("PINHOLE_IDENTITY_ADDRESS", "127.0.0.1:" + identityServer.activeLocalPort());
            final Map<String, String> mediaEnv = new HashMap<>(env);
            mediaEnv.putAll(devstack.s3().environment(Devstack.DEFAULT_BUCKET));
            final Server mediaServer = PinholeServer.start(io.pinhole.media.Main.newServer(Env.of(mediaEnv)));
            env.put("PINHOLE_MEDIA_ADDRESS", "127.0.0.1:" + mediaServer.activeLocalPort());
            final Server feedServer = PinholeServer.start(io.pinhole.feed.Main.newServer(Env.of(env)));
            env.put("PINHOLE_FEED_ADDRESS", "127.0.0.1:" + feedServer.activeLocalPort());
            ServiceProcess.Started gateway = null;
            try {
                final Map<String, String> gatewayEnv = new HashMap<>();
                for (String service : List.of("IDENTITY", "MEDIA", "FEED")) {
                    gatewayEnv.put("PINHOLE_" + service + "_ADDRESS", env.get("PINHOLE_" + service + "_ADDRESS"));
                }
                // The feed query never reaches svc-geo or svc-notify; their stubs point at a closed port so that a
                // stray call would fail loudly instead of finding a stack that ./pinhole up left running.
                final String closed = "127.0.0.1:" + freePort();
                gatewayEnv.put("PINHOLE_GEO_ADDRESS", closed);
                gatewayEnv.put("PINHOLE_NOTIFY_ADDRESS", closed);
                System.out.println("starting the gateway (graphql-gateway/target)…");
                gateway = ServiceProcess.startHttp("graphql-gateway", "io.pinhole.gateway.GatewayApplication",
                                                   "PINHOLE_GATEWAY_PORT", gatewayEnv, "/actuator/health");

                final IdentityServiceBlockingStub identity = GrpcClients.newClient(
                        "http://" + env.get("PINHOLE_IDENTITY_ADDRESS"), IdentityServiceBlockingStub.class);
                final MediaServiceStub mediaUpload = GrpcClients.newClient(
                        "http://" + env.get("PINHOLE_MEDIA_ADDRESS"), MediaServiceStub.class);
                final MediaServiceBlockingStub media = GrpcClients.newClient(
                        "http://" + env.get("PINHOLE_MEDIA_ADDRESS"), MediaServiceBlockingStub.class);
                final FeedServiceBlockingStub feed = GrpcClients.newClient(
                        "http://" + env.get("PINHOLE_FEED_ADDRESS"), FeedServiceBlockingStub.class);

                final SignUpResponse viewer = seed(identity, mediaUpload, media, feed);
                final FeedServiceBlockingStub asViewer = Viewer.as(feed, viewer.getUser().getId());
                final GetHomeFeedRequest page = GetHomeFeedRequest.newBuilder()
                        .setPage(PageRequest.newBuilder().setLimit(PAGE)).build();
                final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                final URI graphql = URI.create("http://127.0.0.1:" + gateway.port() + "/graphql");
                final String body = JSON.writeValueAsString(Map.of("query", FEED_QUERY));
                final LongAdder gatewayFailures = new LongAdder();
                final LongAdder directFailures = new LongAdder();
                final IdentityBenchmark.Call throughGateway = counted(i -> checkGraphQl(http.send(
                        HttpRequest.newBuilder(graphql).timeout(Duration.ofSeconds(30))
                                .header("Content-Type", "application/json")
                                .header("Authorization", "Bearer " + viewer.getToken())
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString())), gatewayFailures);
                final IdentityBenchmark.Call direct = counted(i -> checkGrpc(asViewer.getHomeFeed(page)), directFailures);

                describe(http.send(HttpRequest.newBuilder(graphql).header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + viewer.getToken())
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
                System.out.printf("warming up both paths (%d s each, not reported)…%n", WARM_UP_SECONDS);
                IdentityBenchmark.measure(clients, WARM_UP_SECONDS, throughGateway);
                IdentityBenchmark.measure(clients, WARM_UP_SECONDS, direct);

                final double[] loadBefore = loadAverage();
                gatewayFailures.reset();
                directFailures.reset();
                System.out.printf("measuring (%d clients, %d s each): GraphQL through the gateway, then GetHomeFeed"
                                  + " directly…%n", clients, seconds);
                final long gatewayCpuBefore = cpuTicks(gateway.process().pid());
                final IdentityBenchmark.Result viaGateway = IdentityBenchmark.measure(clients, seconds, throughGateway);
                final double gatewayCpuSeconds = (cpuTicks(gateway.process().pid()) - gatewayCpuBefore) / 100.0;
                final IdentityBenchmark.Result viaFeed = IdentityBenchmark.measure(clients, seconds, direct);
                final double[] loadAfter = loadAverage();

                final String report = String.format(Locale.ROOT, """
                        {"clients": %d, "seconds": %d, "page": %d, "timeline_items": %d,
                         "graphql_feed_through_gateway": %s,
                         "grpc_get_home_feed_direct": %s,
                         "failures": {"gateway": %d, "direct": %d},
                         "gateway_over_direct_throughput": %.3f, "gateway_over_direct_p50": %.3f, "gateway_over_direct_p99": %.3f,
                         "gateway_cpu_ms_per_request": %.3f,
                         "load_average_before": [%.2f, %.2f, %.2f], "load_average_after": [%.2f, %.2f, %.2f],
                         "cores": %d}
                        """, clients, seconds, PAGE, AUTHORS * POSTS_PER_AUTHOR, viaGateway.json(), viaFeed.json(),
                        gatewayFailures.sum(), directFailures.sum(),
                        viaGateway.perSecond() / viaFeed.perSecond(), viaGateway.p50() / viaFeed.p50(),
                        viaGateway.p99() / viaFeed.p99(),
                        // the gateway JVM's CPU (user + system, from /proc) over the requests it served
                        1000 * gatewayCpuSeconds / (viaGateway.perSecond() * seconds),
                        loadBefore[0], loadBefore[1], loadBefore[2], loadAfter[0], loadAfter[1], loadAfter[2],
                        Runtime.getRuntime().availableProcessors());
                System.out.println(report);
                System.out.printf(Locale.ROOT, """
                        | feed of %d, closed loop, %d clients | per s | p50 ms | p99 ms | max ms |
                        |---|---|---|---|---|
                        | GraphQL through the gateway | %.0f | %.2f | %.2f | %.2f |
                        | FeedService.GetHomeFeed directly | %.0f | %.2f | %.2f | %.2f |
                        gateway/direct: throughput %.2f, p99 %.2f
                        """, PAGE, clients, viaGateway.perSecond(), viaGateway.p50(), viaGateway.p99(), viaGateway.max(),
                        viaFeed.perSecond(), viaFeed.p50(), viaFeed.p99(), viaFeed.max(),
                        viaGateway.perSecond() / viaFeed.perSecond(), viaGateway.p99() / viaFeed.p99());
                Files.createDirectories(Path.of("bench/reports"));
                Files.writeString(Path.of("bench/reports/gateway.json"), report);
            } finally {
                if (gateway != null) {
                    gateway.process().destroy(); // SIGTERM: Spring's graceful shutdown
                    gateway.process().waitFor();
                }
                feedServer.stop().join();
                mediaServer.stop().join();
                identityServer.stop().join();
            }
        }
    }

    /**
     * A viewer following {@value #AUTHORS} accounts that posted {@value #POSTS_PER_AUTHOR} photos each, the viewer
     * having liked every third and commented on every fifth (so counts and viewerHasLiked are not all zero); returns
     * once all of them are in the viewer's timeline (fan-out is asynchronous).
     */
    private static SignUpResponse seed(IdentityServiceBlockingStub identity, MediaServiceStub mediaUpload,
                                       MediaServiceBlockingStub media, FeedServiceBlockingStub feed) throws Exception {
        System.out.printf("seeding: a viewer following %d accounts with %d photos between them…%n",
                          AUTHORS, AUTHORS * POSTS_PER_AUTHOR);
        final SignUpResponse viewer = signUp(identity, "bench_gateway_viewer");
        final long viewerId = viewer.getUser().getId();
        final List<Long> authors = new ArrayList<>();
        for (int a = 0; a < AUTHORS; a++) {
            final long author = signUp(identity, "bench_gateway_author_" + a).getUser().getId();
            authors.add(author);
            Viewer.as(identity, viewerId).follow(FollowRequest.newBuilder().setUserId(author).build());
        }
        // A first read makes the viewer's timeline active, so that fan-out on write fills it.
        Viewer.as(feed, viewerId).getHomeFeed(GetHomeFeedRequest.getDefaultInstance());
        final byte[] photo = photo();
        final List<Long> posted = new ArrayList<>();
        for (int i = 0; i < AUTHORS * POSTS_PER_AUTHOR; i++) {
            posted.add(MediaUploads.upload(Viewer.as(mediaUpload, authors.get(i % AUTHORS)),
                    UploadHeader.newBuilder().setCaption("photo " + i + " #bench").build(), photo,
                    Duration.ofSeconds(60)).getId());
        }
        final MediaServiceBlockingStub asViewer = Viewer.as(media, viewerId);
        for (int i = 0; i < posted.size(); i++) {
            if (i % 3 == 0) {
                asViewer.like(LikeRequest.newBuilder().setMediaId(posted.get(i)).build());
            }
            if (i % 5 == 0) {
                asViewer.addComment(io.pinhole.media.v1.AddCommentRequest.newBuilder().setMediaId(posted.get(i))
                        .setText("nice one").build());
            }
        }
        final GetHomeFeedRequest all = GetHomeFeedRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setLimit(posted.size())).build();
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Viewer.as(feed, viewerId).getHomeFeed(all).getMediaIdsCount() < posted.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the posts did not reach the viewer's timeline within 60 s");
            }
            Thread.sleep(50); // polling the fan-out's progress; seeding is not measured
        }
        return viewer;
    }

    /**
     * {@code call} with its failures counted instead of thrown: a thrown exception would end that client's loop and
     * quietly lower the concurrency of the rest of the run. Failures are reported beside the figures (they should be
     * 0; their time still counts in the latency).
     */
    private static IdentityBenchmark.Call counted(IdentityBenchmark.Call call, LongAdder failures) {
        return i -> {
            try {
                call.run(i);
            } catch (Exception e) {
                if (failures.sum() == 0) {
                    System.err.println("first failure: " + e);
                }
                failures.increment();
            }
        };
    }

    /** Prints what one page holds, so that a run shows the query did real work (owners, counts, likes). */
    private static void describe(HttpResponse<String> response) throws Exception {
        checkGraphQl(response);
        int liked = 0;
        int commented = 0;
        int owners = 0;
        for (JsonNode edge : JSON.readTree(response.body()).path("data").path("feed").path("edges")) {
            final JsonNode node = edge.path("node");
            liked += node.path("viewerHasLiked").asBoolean() ? 1 : 0;
            commented += node.path("commentCount").asInt() > 0 ? 1 : 0;
            owners += node.path("owner").path("username").isTextual() ? 1 : 0;
        }
        System.out.printf("one page through the gateway: %d items, %d with their owner's username, %d liked by the"
                          + " viewer, %d commented (%,d bytes of JSON)%n", PAGE, owners, liked, commented,
                          response.body().length());
    }

    /** A 200 answer with a full page and no error, or the call counts as failed. */
    private static void checkGraphQl(HttpResponse<String> response) throws Exception {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("gateway answered " + response.statusCode() + ": " + response.body());
        }
        final JsonNode answer = JSON.readTree(response.body());
        if (answer.has("errors") || answer.path("data").path("feed").path("edges").size() != PAGE) {
            throw new IllegalStateException("not a full feed page: " + response.body());
        }
    }

    private static void checkGrpc(GetHomeFeedResponse response) {
        if (response.getMediaIdsCount() != PAGE || response.getMediaCount() != PAGE) {
            throw new IllegalStateException("a home page lost items: " + response.getMediaIdsCount());
        }
    }

    private static SignUpResponse signUp(IdentityServiceBlockingStub identity, String name) {
        return identity.signUp(SignUpRequest.newBuilder().setUsername(name).setEmail(name + "@example.com")
                .setPassword("benchmark password").build());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** 1, 5 and 15 minute load averages from /proc/loadavg. */
    private static double[] loadAverage() throws Exception {
        final String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return new double[] {Double.parseDouble(fields[0]), Double.parseDouble(fields[1]), Double.parseDouble(fields[2])};
    }

    /** User + system CPU of process {@code pid} in clock ticks (fields 14 and 15 of /proc/pid/stat, USER_HZ 100). */
    private static long cpuTicks(long pid) throws Exception {
        final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // the name may hold spaces
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static byte[] photo() throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB), "jpeg", bytes);
        return bytes.toByteArray();
    }
}
