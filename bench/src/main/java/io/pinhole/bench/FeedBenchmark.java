package io.pinhole.bench;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.server.Server;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackConfig;
import io.pinhole.feed.v1.FeedServiceGrpc.FeedServiceBlockingStub;
import io.pinhole.feed.v1.GetHomeFeedRequest;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.platform.client.MediaUploads;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.server.Viewer;
import io.pinhole.platform.shard.ShardMap;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * svc-feed against a real stack (PostgreSQL ×2, Redis, memcached, S3, identity, media), four figures in one run:
 * fan-out inserts/s beside redis-benchmark's pipelined rate for the same Lua insert; the time for one post to reach
 * 100,000 active followers; bytes per timeline entry (MEMORY USAGE of a full timeline); GetHomeFeed(20) warm.
 */
final class FeedBenchmark {

    private FeedBenchmark() {}

    static void run(int clients, int seconds, int followers) throws Exception {
        try (Devstack devstack = Devstack.create(DevstackConfig.forTests())) {
            devstack.postgres().createDatabase("pinhole_identity");
            devstack.postgres().createDatabase("pinhole_media");
            final Map<String, String> env = new HashMap<>(devstack.postgres().environment());
            env.putAll(devstack.redis().environment());
            env.putAll(devstack.memcached().environment());
            env.putAll(Map.of("PINHOLE_IDENTITY_PORT", "0", "PINHOLE_MEDIA_PORT", "0", "PINHOLE_FEED_PORT", "0",
                              "PINHOLE_ARGON2_MEMORY_KIB", "1024", "PINHOLE_ARGON2_ITERATIONS", "1",
                              "PINHOLE_FEED_HUGE_FOLLOWERS", Integer.toString(followers * 2)));
            final Server identityServer = PinholeServer.start(io.pinhole.identity.Main.newServer(Env.of(env)));
            env.put("PINHOLE_IDENTITY_ADDRESS", "127.0.0.1:" + identityServer.activeLocalPort());
            final Map<String, String> mediaEnv = new HashMap<>(env);
            mediaEnv.putAll(devstack.s3().environment(Devstack.DEFAULT_BUCKET));
            final Server mediaServer = PinholeServer.start(io.pinhole.media.Main.newServer(Env.of(mediaEnv)));
            env.put("PINHOLE_MEDIA_ADDRESS", "127.0.0.1:" + mediaServer.activeLocalPort());
            final Server feedServer = PinholeServer.start(io.pinhole.feed.Main.newServer(Env.of(env)));
            final RedisClient redisClient = RedisClient.create(devstack.redis().uri());
            try (StatefulRedisConnection<String, byte[]> redis = redisClient.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
                final IdentityServiceBlockingStub identity = GrpcClients.newClient(
                        "http://127.0.0.1:" + identityServer.activeLocalPort(), IdentityServiceBlockingStub.class);
                final MediaServiceStub media = GrpcClients.newClient(
                        "http://127.0.0.1:" + mediaServer.activeLocalPort(), MediaServiceStub.class);
                final FeedServiceBlockingStub feed = GrpcClients.newClient(
                        "http://127.0.0.1:" + feedServer.activeLocalPort(), FeedServiceBlockingStub.class);
                final byte[] photo = photo();

                // 1. Fan-out reach: an author with `followers` active followers (a bulk path: mirror rows straight into
                // the author's identity shard, empty timelines straight into Redis), then one post.
                final long author = signUp(identity, "bench_author");
                final List<Long> fans = bulkFollowers(devstack, author, followers);
                System.out.printf("activating %,d timelines…%n", fans.size());
                final var async = redis.async();
                for (int from = 0; from < fans.size(); from += 1000) {
                    final List<io.lettuce.core.RedisFuture<String>> sets = new ArrayList<>();
                    for (long fan : fans.subList(from, Math.min(fans.size(), from + 1000))) {
                        sets.add(async.set("feed:timeline:v1:" + fan, new byte[0]));
                    }
                    for (var set : sets) {
                        set.get();
                    }
                }
                final long posted = System.nanoTime();
                final long mediaId = MediaUploads.upload(Viewer.as(media, author), UploadHeader.newBuilder()
                        .setCaption("to everyone").build(), photo, Duration.ofSeconds(60)).getId();
                final long uploaded = System.nanoTime();
                final byte[] expected = ByteBuffer.allocate(8).putLong(mediaId).array();
                // Followers are written oldest last (identity lists newest first): the first fan is the last reached.
                while (!java.util.Arrays.equals(redis.sync().get("feed:timeline:v1:" + fans.getFirst()), expected)) {
                    Thread.sleep(5); // polling the last follower's timeline; the figure is the total, not this step
                }
                final double reachSeconds = (System.nanoTime() - posted) / 1e9;
                final double uploadSeconds = (uploaded - posted) / 1e9;
                long reached = 0;
                for (long fan : fans) {
                    if (java.util.Arrays.equals(redis.sync().get("feed:timeline:v1:" + fan), expected)) {
                        reached++;
                    }
                }

                // 2. Bytes per entry: a full timeline (800 IDs).
                final long reader = signUp(identity, "bench_reader");
                final List<Long> ids = new ArrayList<>();
                for (int i = 0; i < 800; i++) {
                    ids.add(PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 1_000_000L + i, 3, i % 1024));
                }
                final ByteBuffer packed = ByteBuffer.allocate(800 * 8);
                ids.reversed().forEach(packed::putLong);
                redis.sync().set("feed:timeline:v1:bench-full", packed.array());
                final long memory = redis.sync().memoryUsage("feed:timeline:v1:bench-full");

                // 3. Fan-out inserts/s through the same Lua script the service uses, pipelined 50 per batch, on the
                // 100,000 activated timelines; and redis-benchmark's pipelined rate for that EVALSHA.
                final String insert = insertScript();
                final String sha = redis.sync().scriptLoad(insert);
                final long started = System.nanoTime();
                long inserts = 0;
                final long until = started + Duration.ofSeconds(seconds).toNanos();
                long nextId = PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 5_000_000L, 1, 0);
                int batchStart = 0;
                while (System.nanoTime() < until) {
                    final byte[] id = ByteBuffer.allocate(8).putLong(nextId++).array();
                    final List<io.lettuce.core.RedisFuture<Long>> replies = new ArrayList<>(50);
                    for (int i = 0; i < 50; i++) {
                        final long fan = fans.get((batchStart + i) % fans.size());
                        replies.add(async.evalsha(sha, ScriptOutputType.INTEGER, new String[] {"feed:timeline:v1:" + fan},
                                                  "800".getBytes(), id));
                    }
                    for (var reply : replies) {
                        reply.get();
                    }
                    batchStart += 50;
                    inserts += 50;
                }
                final double fanOutPerSecond = inserts / ((System.nanoTime() - started) / 1e9);
                for (int from = 0; from < followers; from += 1000) {
                    final List<io.lettuce.core.RedisFuture<String>> sets = new ArrayList<>();
                    for (int n = from; n < Math.min(followers, from + 1000); n++) {
                        sets.add(async.set(String.format("feed:timeline:v1:bench-floor:%012d", n), new byte[0]));
                    }
                    for (var set : sets) {
                        set.get();
                    }
                }
                final double floorPerSecond = redisBenchmark(devstack.redis().host(), devstack.redis().port(), sha,
                                                             "feed:timeline:v1:bench-floor:%012d", followers);

                // 4. GetHomeFeed(20) warm: a reader following 20 authors with 40 posts between them.
                final List<Long> authors = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    final long poster = signUp(identity, "bench_poster_" + i);
                    authors.add(poster);
                    Viewer.as(identity, reader).follow(FollowRequest.newBuilder().setUserId(poster).build());
                }
                final FeedServiceBlockingStub asReader = Viewer.as(feed, reader);
                asReader.getHomeFeed(GetHomeFeedRequest.getDefaultInstance());
                for (int i = 0; i < 40; i++) {
                    MediaUploads.upload(Viewer.as(media, authors.get(i % authors.size())), UploadHeader.getDefaultInstance(),
                                        photo, Duration.ofSeconds(60));
                }
                while (asReader.getHomeFeed(GetHomeFeedRequest.getDefaultInstance()).getMediaIdsCount() < 20) {
                    Thread.sleep(50);
                }
                final IdentityBenchmark.Result home = IdentityBenchmark.measure(clients, seconds, i -> {
                    if (asReader.getHomeFeed(GetHomeFeedRequest.getDefaultInstance()).getMediaIdsCount() != 20) {
                        throw new IllegalStateException("a home page lost items");
                    }
                });

                final String report = String.format(Locale.ROOT, """
                        {"followers": %d, "post_reached_all_active_followers_s": %.2f, "of_which_upload_s": %.2f,
                         "followers_reached": %d,
                         "timeline_bytes_per_entry": %.2f, "timeline_memory_usage_800_entries": %d,
                         "fan_out_inserts_per_s": %.0f, "redis_benchmark_same_evalsha_pipelined_per_s": %.0f,
                         "fan_out_ratio_to_floor": %.3f,
                         "get_home_feed_20_warm": %s}
                        """, followers, reachSeconds, uploadSeconds, reached, memory / 800.0, memory, fanOutPerSecond,
                        floorPerSecond, fanOutPerSecond / floorPerSecond, home.json());
                System.out.println(report);
                Files.createDirectories(Path.of("bench/reports"));
                Files.writeString(Path.of("bench/reports/feed.json"), report);
            } finally {
                redisClient.shutdown();
                feedServer.stop().join();
                mediaServer.stop().join();
                identityServer.stop().join();
            }
        }
    }

    private static long signUp(IdentityServiceBlockingStub identity, String name) {
        return identity.signUp(SignUpRequest.newBuilder().setUsername(name).setEmail(name + "@example.com")
                .setPassword("benchmark password").build()).getUser().getId();
    }

    /** {@code count} follower IDs written into the author's identity shard (the mirror side), oldest first. */
    private static List<Long> bulkFollowers(Devstack devstack, long author, int count) throws Exception {
        System.out.printf("writing %,d followers…%n", count);
        final int shard = PinholeIds.shard(author);
        final long first = PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 10_000L, 5, 0);
        try (Connection connection = devstack.postgres().server(shard / 8).connect("pinhole_identity");
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO " + ShardMap.schemaOf(shard) + ".followers (followee_id, follower_id,"
                    + " pending, created_at) SELECT " + author + ", " + first
                    + " + n * (1::bigint << 23), false, now() + n * interval '1 microsecond'"
                    + " FROM generate_series(0, " + (count - 1) + ") AS n");
        }
        // The IDs written above, in the same order (the SQL adds n milliseconds to the ID's time bits).
        final List<Long> fans = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            fans.add(first + ((long) n << 23));
        }
        return fans;
    }

    /**
     * redis-benchmark's pipelined rate for the same EVALSHA on {@code keyspace} existing timelines ({@code keys}) chosen at random
     * (always the same 8-byte ID, so after a key's first insert the script finds it and writes nothing: a floor).
     */
    static double redisBenchmark(String host, int port, String sha, String keys, int keyspace) throws Exception {
        // redis-benchmark replaces __rand_int__ with a 12-digit number below -r: `keys` names them with %012d.
        final Process process = new ProcessBuilder("redis-benchmark", "-h", host, "-p", Integer.toString(port), "-n", "200000",
                "-P", "50", "-c", "4", "-r", Integer.toString(keyspace), "-q", "EVALSHA", sha, "1",
                keys.replace("%012d", "__rand_int__"), "800", "ABCDEFGH").redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        final java.util.regex.Matcher rate = java.util.regex.Pattern.compile("([0-9.]+) requests per second").matcher(output);
        if (!rate.find()) {
            throw new IllegalStateException("redis-benchmark said: " + output);
        }
        return Double.parseDouble(rate.group(1));
    }

    /** The service's insert script, read from the class so the floor runs exactly the same Lua. */
    static String insertScript() throws Exception {
        final var field = Class.forName("io.pinhole.feed.TimelineStore").getDeclaredField("INSERT");
        field.setAccessible(true);
        return (String) field.get(null);
    }

    private static byte[] photo() throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB), "jpeg", bytes);
        return bytes.toByteArray();
    }
}
