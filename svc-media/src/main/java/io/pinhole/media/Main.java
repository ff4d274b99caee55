package io.pinhole.media;

import com.linecorp.armeria.server.Server;
import io.pinhole.media.v1.MediaServiceGrpc;
import io.pinhole.media.v1.GetMediaRequest;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.shard.DatabaseConfig;
import io.pinhole.platform.shard.ShardedDatabase;
import io.pinhole.platform.server.PinholeServer;

/** svc-media: one Armeria server on {@code PINHOLE_MEDIA_PORT} (default 9102). */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        PinholeServer.start(newServer(Env.system()));
    }

    /** The whole service, configured once from {@code env}. */
    static Server newServer(Env env) {
        final PinholeServer.Builder server = PinholeServer.builder(PinholeService.MEDIA, env);
        configureServices(server, env);
        return server.build();
    }

    static void configureServices(PinholeServer.Builder server, Env env) {
        final ShardedDatabase database = ShardedDatabase.open(
                DatabaseConfig.fromEnvironment(env, PinholeService.MEDIA.databaseName()), mybatis -> { }, null);
        server.closeOnStop(database);
        database.migrate();
        server.service(new MediaService())
              .exampleRequest(MediaServiceGrpc.SERVICE_NAME, "GetMedia", GetMediaRequest.newBuilder().addMediaIds(1L << 23).build());
    }
}
