package io.pinhole.feed;

import com.linecorp.armeria.server.Server;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.feed.v1.FeedServiceGrpc;
import io.pinhole.feed.v1.GetHomeFeedRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.platform.client.RedisClients;
import io.pinhole.platform.client.ServiceClients;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.events.StreamConsumer;
import io.pinhole.platform.events.Topics;
import io.pinhole.platform.server.PinholeServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** svc-feed: one Armeria server on {@code PINHOLE_FEED_PORT} (default 9103). */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        PinholeServer.start(newServer(Env.system()));
    }

    /** The whole service, configured once from {@code env}; public so that other modules' tests can run it. */
    public static Server newServer(Env env) {
        final PinholeServer.Builder server = PinholeServer.builder(PinholeService.FEED, env);
        configureServices(server, env);
        return server.build();
    }

    static void configureServices(PinholeServer.Builder server, Env env) {
        final PrometheusMeterRegistry meters = server.meterRegistry();
        final RedisClient redisClient = RedisClients.create(env);
        server.closeOnStop(redisClient::shutdown);
        final StatefulRedisConnection<String, String> redis = redisClient.connect();
        server.closeOnStop(redis);
        final StatefulRedisConnection<String, byte[]> binary = redisClient.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        server.closeOnStop(binary);
        final IdentityServiceBlockingStub identity = ServiceClients.counted(ServiceClients.create("identity",
                PinholeService.IDENTITY.address(env), IdentityServiceBlockingStub.class, ServiceClients.Settings.fromEnvironment(env)),
                "identity", meters);
        final MediaServiceBlockingStub media = ServiceClients.counted(ServiceClients.create("media",
                PinholeService.MEDIA.address(env), MediaServiceBlockingStub.class, ServiceClients.Settings.fromEnvironment(env)),
                "media", meters);

        final TimelineStore timelines = new TimelineStore(binary, env.integer("PINHOLE_FEED_TIMELINE_CAP", 800),
                                                          env.duration("PINHOLE_FEED_INACTIVE_AFTER", Duration.ofDays(30)));
        final Followers followers = new Followers(identity);
        final HomeFeed homeFeed = new HomeFeed(timelines, redis.sync(), followers, identity, media,
                                               env.duration("PINHOLE_FEED_REBUILD_WAIT", Duration.ofMillis(500)));
        server.closeOnStop(homeFeed);
        final Activities activities = new Activities(binary, identity, env.integer("PINHOLE_FEED_ACTIVITY_CAP", 200));
        final Popular popular = new Popular(redis.sync(), identity, media,
                                            env.duration("PINHOLE_FEED_POPULAR_HALF_LIFE", Duration.ofHours(6)), Clock.systemUTC());
        final FanOut fanOut = new FanOut(timelines, redis.sync(), followers, identity, media,
                                         env.integer("PINHOLE_FEED_HUGE_FOLLOWERS", 10_000));

        server.closeOnStop(StreamConsumer.start(redisClient, StreamConsumer.Settings.fromEnvironment(env, "feed",
                List.of(Topics.MEDIA, Topics.FOLLOWS)), fanOut, meters));
        server.closeOnStop(StreamConsumer.start(redisClient, StreamConsumer.Settings.fromEnvironment(env, "feed-activity",
                List.of(Topics.LIKES, Topics.COMMENTS, Topics.MEDIA, Topics.FOLLOWS)), activities, meters));
        server.closeOnStop(StreamConsumer.start(redisClient, StreamConsumer.Settings.fromEnvironment(env, "feed-popular",
                List.of(Topics.LIKES, Topics.COMMENTS, Topics.MEDIA)), popular, meters));
        final ScheduledExecutorService ranking = Executors.newSingleThreadScheduledExecutor();
        final long every = env.duration("PINHOLE_FEED_POPULAR_EVERY", Duration.ofMinutes(1)).toMillis();
        ranking.scheduleWithFixedDelay(() -> {
            try {
                popular.recompute();
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(Popular.class).warn("popular ranking not recomputed: {}", e.toString());
            }
        }, 0, every, TimeUnit.MILLISECONDS);
        server.closeOnStop(ranking::shutdownNow);

        server.service(new FeedService(homeFeed, activities, popular))
              .exampleRequest(FeedServiceGrpc.SERVICE_NAME, "GetHomeFeed",
                              GetHomeFeedRequest.newBuilder().setPage(PageRequest.newBuilder().setLimit(20)).build());
    }
}
