package io.pinhole.bench;

import com.spotify.folsom.MemcacheClient;
import io.pinhole.feed.v1.FeedServiceGrpc.FeedServiceBlockingStub;
import io.pinhole.feed.v1.GetHomeFeedRequest;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.identity.v1.SignUpResponse;
import io.pinhole.media.v1.AddCommentRequest;
import io.pinhole.media.v1.LikeRequest;
import io.pinhole.media.v1.Location;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.platform.client.MediaUploads;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.server.Viewer;
import io.pinhole.platform.shard.DatabaseConfig;
import io.pinhole.platform.shard.ShardMap;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import javax.imageio.ImageIO;

/**
 * The benchmark's world, seeded through the public gRPC APIs (sign-ups, follows, uploads of real small photos with
 * geotags and hashtags, likes, comments) except for one documented bulk path: the huge accounts' followers.
 *
 * <p>Popularity follows a power law: user {@code k} (by rank) is chosen as a followee with weight {@code 1/(k+1)}
 * (Zipf, exponent 1), so a few users have most followers. On top of that, the top {@code hugeAccounts} users each get
 * {@code hugeFollowers} (100,000) followers written straight into identity's {@code followers} table of their shard
 * with their follower count — signing up 100,000 accounts through Argon2id would take longer than every other phase
 * together and measures nothing the benchmark reports. Those followers are not users, so they never read a feed;
 * above svc-feed's huge-account threshold (10,000) the account is not fanned out anyway, its posts are merged at
 * read time, which is what the "post by a huge account" figure measures with the real users following it.
 */
public final class SyntheticWorld {

    /** How big a world. */
    public record Size(int users, int followsPerUser, int hugeAccounts, int hugeFollowers, int photosPerUser,
                       int likes, int comments) {
        public static final Size QUICK = new Size(200, 10, 1, 100_000, 1, 1_000, 200);
        public static final Size FULL = new Size(2_000, 20, 3, 100_000, 3, 20_000, 4_000);
    }

    /** A seeded user: ID, username, session token for GraphQL. */
    public record User(long id, String username, String token) {}

    /** Places the photos are taken around (every photo within ~5 km of one). */
    static final double[][] CITIES = {{38.7223, -9.1393}, {51.5072, -0.1276}, {48.8566, 2.3522}, {35.6762, 139.6503}};
    private static final String[] TAGS = {"sunset", "streets", "coffee", "sea", "mountains", "food", "friends", "rain"};

    public final List<User> users = new ArrayList<>();
    public final List<Long> media = Collections.synchronizedList(new ArrayList<>());
    public final List<User> hugeAccounts = new ArrayList<>();
    /** Real users following the first huge account. */
    public final List<User> hugeAccountFollowers = new ArrayList<>();
    public final byte[] photo;

    private final Random random = new Random(2011);

    private SyntheticWorld() throws Exception {
        photo = photo(new Color(250, 140, 60), new Color(60, 70, 140));
    }

    public static SyntheticWorld seed(Size size, Env env, IdentityServiceBlockingStub identity, MediaServiceStub uploads,
                                      MediaServiceBlockingStub media, FeedServiceBlockingStub feed,
                                      MemcacheClient<byte[]> memcached) throws Exception {
        final SyntheticWorld world = new SyntheticWorld();
        final String run = Long.toString(System.currentTimeMillis() % 100_000_000L, 36); // usernames unique per run
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            final Semaphore parallel = new Semaphore(8);

            try (Progress progress = new Progress("users signed up", size.users())) {
                final List<Future<User>> signUps = new ArrayList<>();
                for (int i = 0; i < size.users(); i++) {
                    final String username = "w" + run + "_" + i;
                    signUps.add(threads.submit(() -> limited(parallel, () -> {
                        final SignUpResponse answer = identity.signUp(SignUpRequest.newBuilder().setUsername(username)
                                .setEmail(username + "@bench.pinhole.invalid").setPassword("benchmark password")
                                .setFullName("Bench " + username).build());
                        progress.step();
                        return new User(answer.getUser().getId(), username, answer.getToken());
                    })));
                }
                for (Future<User> signUp : signUps) {
                    world.users.add(signUp.get());
                }
            }
            world.hugeAccounts.addAll(world.users.subList(0, Math.min(size.hugeAccounts(), world.users.size())));

            // Everyone reads their feed once: an active user (svc-feed fans out only to timelines that exist).
            final List<Future<?>> work = new ArrayList<>();
            for (User user : world.users) {
                work.add(threads.submit(() -> limited(parallel, () ->
                        Viewer.as(feed, user.id()).getHomeFeed(GetHomeFeedRequest.getDefaultInstance()))));
            }
            await(work);

            final List<long[]> follows = new ArrayList<>();
            for (User follower : world.users) {
                final Set<Integer> followees = new LinkedHashSet<>();
                followees.add(0); // everyone follows the first huge account: the read-time merge is measured on them
                while (followees.size() < Math.min(size.followsPerUser(), world.users.size() - 1)) {
                    followees.add(world.zipf(world.users.size()));
                }
                for (int followee : followees) {
                    if (world.users.get(followee).id() != follower.id()) {
                        follows.add(new long[] {follower.id(), world.users.get(followee).id()});
                    }
                }
                if (follower != world.users.getFirst()) {
                    world.hugeAccountFollowers.add(follower);
                }
            }
            try (Progress progress = new Progress("follows (power law)", follows.size())) {
                for (long[] pair : follows) {
                    work.add(threads.submit(() -> limited(parallel, () -> {
                        Viewer.as(identity, pair[0]).follow(FollowRequest.newBuilder().setUserId(pair[1]).build());
                        progress.step();
                        return null;
                    })));
                }
                await(work);
            }

            try (Progress progress = new Progress("huge accounts' followers (bulk)", (long) size.hugeAccounts() * size.hugeFollowers())) {
                for (User huge : world.hugeAccounts) {
                    bulkFollowers(env, huge.id(), size.hugeFollowers());
                    memcached.delete("user:v1:" + huge.id()).toCompletableFuture().get(); // identity's cached profile
                    progress.advance(size.hugeFollowers());
                }
            }

            try (Progress progress = new Progress("photos uploaded", (long) size.users() * size.photosPerUser())) {
                for (User owner : world.users) {
                    for (int n = 0; n < size.photosPerUser(); n++) {
                        final UploadHeader header = world.header();
                        work.add(threads.submit(() -> limited(parallel, () -> {
                            world.media.add(MediaUploads.upload(Viewer.as(uploads, owner.id()), header, world.photo,
                                                                Duration.ofSeconds(60)).getId());
                            progress.step();
                            return null;
                        })));
                    }
                }
                await(work);
            }

            try (Progress progress = new Progress("likes and comments", size.likes() + size.comments())) {
                for (int i = 0; i < size.likes() + size.comments(); i++) {
                    final long viewer = world.users.get(world.random.nextInt(world.users.size())).id();
                    final long mediaId = world.media.get(world.zipf(world.media.size()));
                    final boolean like = i < size.likes();
                    work.add(threads.submit(() -> limited(parallel, () -> {
                        if (like) {
                            Viewer.as(media, viewer).like(LikeRequest.newBuilder().setMediaId(mediaId).build());
                        } else {
                            Viewer.as(media, viewer).addComment(AddCommentRequest.newBuilder().setMediaId(mediaId)
                                    .setText("Lovely #" + TAGS[(int) (mediaId % TAGS.length)]).build());
                        }
                        progress.step();
                        return null;
                    })));
                }
                await(work);
            }
        }
        return world;
    }

    /** An upload header: a caption with two hashtags and a geotag near one of the cities. */
    UploadHeader header() {
        synchronized (random) {
            final double[] city = CITIES[random.nextInt(CITIES.length)];
            return UploadHeader.newBuilder()
                    .setCaption("Out and about #" + TAGS[random.nextInt(TAGS.length)] + " #" + TAGS[random.nextInt(TAGS.length)])
                    .setLocation(Location.newBuilder().setName("Spot " + random.nextInt(50))
                            .setLat(city[0] + (random.nextDouble() - 0.5) * 0.09)
                            .setLng(city[1] + (random.nextDouble() - 0.5) * 0.09))
                    .build();
        }
    }

    /** A rank in [0, n) with probability proportional to 1/(rank+1). */
    int zipf(int n) {
        synchronized (random) {
            final double harmonic = Math.log(n) + 0.5772156649;
            double target = random.nextDouble() * harmonic;
            for (int rank = 0; rank < n; rank++) {
                target -= 1.0 / (rank + 1);
                if (target <= 0) {
                    return rank;
                }
            }
            return n - 1;
        }
    }

    /**
     * {@code count} followers of {@code author} written into identity's {@code followers} table (the followee's side)
     * of the author's shard, with the follower count; IDs that name no user, so they never read or get pushes.
     */
    private static void bulkFollowers(Env env, long author, int count) throws Exception {
        final DatabaseConfig database = DatabaseConfig.fromEnvironment(env, "pinhole_identity");
        final int shard = PinholeIds.shard(author);
        final String schema = ShardMap.schemaOf(shard);
        final long first = PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 10_000L, (shard + 1) % database.shardMap().logicalShards(), 0);
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(database.shardMap().physicalServerOf(shard)),
                                                                 database.user(), database.password());
             Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            final int inserted = statement.executeUpdate("INSERT INTO " + schema + ".followers (followee_id, follower_id,"
                    + " pending, created_at) SELECT " + author + ", " + first + " + n * (1::bigint << 23), false,"
                    + " now() - interval '1 day' + n * interval '1 microsecond' FROM generate_series(0, " + (count - 1)
                    + ") AS n ON CONFLICT DO NOTHING");
            statement.executeUpdate("UPDATE " + schema + ".users SET follower_count = follower_count + " + inserted
                    + " WHERE id = " + author);
            connection.commit();
        }
    }

    static byte[] photo(Color top, Color bottom) throws Exception {
        final BufferedImage image = new BufferedImage(480, 360, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, top, 0, 360, bottom));
        g.fillRect(0, 0, 480, 360);
        g.setColor(new Color(255, 240, 200));
        g.fillOval(180, 80, 90, 90);
        g.dispose();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", bytes);
        return bytes.toByteArray();
    }

    @FunctionalInterface
    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T limited(Semaphore parallel, Call<T> call) throws Exception {
        parallel.acquire();
        try {
            return call.call();
        } finally {
            parallel.release();
        }
    }

    private static void await(List<Future<?>> work) throws Exception {
        for (Future<?> future : work) {
            future.get();
        }
        work.clear();
    }
}
