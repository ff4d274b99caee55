package io.pinhole.media;

import com.linecorp.armeria.server.Server;
import com.spotify.folsom.MemcacheClient;
import io.lettuce.core.RedisClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.media.image.ImageIntake;
import io.pinhole.media.image.ImageLimits;
import io.pinhole.media.storage.MediaStorage;
import io.pinhole.media.storage.StorageConfig;
import io.pinhole.media.v1.GetMediaRequest;
import io.pinhole.media.v1.MediaServiceGrpc;
import io.pinhole.platform.client.MemcachedClients;
import io.pinhole.platform.client.RedisClients;
import io.pinhole.platform.client.ServiceClients;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.events.OutboxRelay;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.shard.DatabaseConfig;
import io.pinhole.platform.shard.ShardedDatabase;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.ibatis.type.ArrayTypeHandler;

/** svc-media: one Armeria server on {@code PINHOLE_MEDIA_PORT} (default 9102). */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        PinholeServer.start(newServer(Env.system()));
    }

    /** The whole service, configured once from {@code env}; public so that other modules' tests can run it. */
    public static Server newServer(Env env) {
        final PinholeServer.Builder server = PinholeServer.builder(PinholeService.MEDIA, env);
        configureServices(server, env);
        return server.build();
    }

    static void configureServices(PinholeServer.Builder server, Env env) {
        final PrometheusMeterRegistry meters = server.meterRegistry();
        final ShardedDatabase database = ShardedDatabase.open(
                DatabaseConfig.fromEnvironment(env, PinholeService.MEDIA.databaseName()), mybatis -> {
                    mybatis.getTypeHandlerRegistry().register(String[].class, ArrayTypeHandler.class);
                    mybatis.getTypeHandlerRegistry().register(Long[].class, ArrayTypeHandler.class);
                    mybatis.addMapper(MediaMapper.class);
                }, meters);
        server.closeOnStop(database);
        database.migrate("classpath:db/media");

        final RedisClient redis = RedisClients.create(env);
        server.closeOnStop(redis::shutdown);
        final MemcacheClient<byte[]> memcached = MemcachedClients.create(env, meters);
        server.closeOnStop(memcached::shutdown);
        final MediaStorage storage = MediaStorage.of(StorageConfig.fromEnvironment(env));
        server.closeOnStop(storage);
        final IdentityServiceBlockingStub identity = ServiceClients.create("identity", PinholeService.IDENTITY.address(env),
                IdentityServiceBlockingStub.class, ServiceClients.Settings.fromEnvironment(env));
        final MediaStore store = new MediaStore(database);
        server.closeOnStop(store);
        final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
        server.closeOnStop(background::shutdown);

        server.closeOnStop(OutboxRelay.start(database, redis, OutboxRelay.Settings.fromEnvironment(env), meters));
        server.service(new MediaService(store,
                        new MediaCache(memcached, env.duration("PINHOLE_MEDIA_CACHE_TTL", Duration.ofHours(1))),
                        storage, ImageIntake.of(ImageLimits.fromEnvironment(env)), identity, background))
              .exampleRequest(MediaServiceGrpc.SERVICE_NAME, "GetMedia", GetMediaRequest.newBuilder().addMediaIds(1L << 23).build());
    }
}
