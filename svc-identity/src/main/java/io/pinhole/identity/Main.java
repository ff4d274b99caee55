package io.pinhole.identity;

import com.linecorp.armeria.server.Server;
import com.spotify.folsom.MemcacheClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc;
import io.pinhole.media.v1.MediaServiceGrpc;
import io.pinhole.platform.client.MemcachedClients;
import io.pinhole.platform.client.RedisClients;
import io.pinhole.platform.client.ServiceClients;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.events.OutboxRelay;
import io.pinhole.platform.events.StreamConsumer;
import io.pinhole.platform.events.Topics;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.shard.DatabaseConfig;
import io.pinhole.platform.shard.ShardedDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** svc-identity: one Armeria server on {@code PINHOLE_IDENTITY_PORT} (default 9101). */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        PinholeServer.start(newServer(Env.system()));
    }

    /** The whole service, configured once from {@code env}; public so that other modules' tests can run it. */
    public static Server newServer(Env env) {
        final PinholeServer.Builder server = PinholeServer.builder(PinholeService.IDENTITY, env);
        configureServices(server, env);
        return server.build();
    }

    static void configureServices(PinholeServer.Builder server, Env env) {
        final PrometheusMeterRegistry meters = server.meterRegistry();

        final ShardedDatabase database = ShardedDatabase.open(
                DatabaseConfig.fromEnvironment(env, PinholeService.IDENTITY.databaseName()),
                mybatis -> mybatis.addMapper(IdentityMapper.class), meters);
        server.closeOnStop(database);
        database.migrate("classpath:db/identity");

        final RedisClient redisClient = RedisClients.create(env);
        server.closeOnStop(redisClient::shutdown);
        final StatefulRedisConnection<String, String> redis = redisClient.connect();
        server.closeOnStop(redis);
        final MemcacheClient<byte[]> memcached = MemcachedClients.create(env, meters);
        server.closeOnStop(memcached::shutdown);
        final MediaServiceGrpc.MediaServiceBlockingStub media = ServiceClients.create(
                "media", PinholeService.MEDIA.address(env), MediaServiceGrpc.MediaServiceBlockingStub.class,
                ServiceClients.Settings.fromEnvironment(env));

        final Users users = new Users(database, memcached, env.duration("PINHOLE_USER_CACHE_TTL", Duration.ofMinutes(10)));
        final Sessions sessions = new Sessions(redis.sync(), env.duration("PINHOLE_SESSION_TTL", Duration.ofDays(30)),
                                               Clock.systemUTC());
        final Accounts accounts = new Accounts(database, users, PasswordHasher.fromEnvironment(env),
                                               new RateLimiter(redis.sync()), Accounts.Limits.fromEnvironment(env),
                                               AvatarLookup.through(media));
        final FollowGraph graph = new FollowGraph(database, users);
        final UserSearch search = new UserSearch(database, env.duration("PINHOLE_USER_SEARCH_DEADLINE", Duration.ofSeconds(2)));
        server.closeOnStop(search);

        server.closeOnStop(OutboxRelay.start(database, redisClient, OutboxRelay.Settings.fromEnvironment(env), meters));
        server.closeOnStop(StreamConsumer.start(redisClient,
                StreamConsumer.Settings.fromEnvironment(env, FollowGraphRepair.GROUP, List.of(Topics.FOLLOWS)),
                new FollowGraphRepair(graph), meters));
        server.closeOnStop(StreamConsumer.start(redisClient,
                StreamConsumer.Settings.fromEnvironment(env, MediaCounts.GROUP, List.of(Topics.MEDIA)),
                new MediaCounts(database, users), meters));

        server.service(new IdentityService(accounts, sessions, users, graph, search))
              .exampleRequest(IdentityServiceGrpc.SERVICE_NAME, "GetUsers",
                              GetUsersRequest.newBuilder().addUserIds(1L << 23).build());
    }
}
