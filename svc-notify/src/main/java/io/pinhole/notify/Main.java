package io.pinhole.notify;

import com.linecorp.armeria.server.Server;
import io.pinhole.notify.v1.NotifyServiceGrpc;
import io.pinhole.notify.v1.RegisterDeviceRequest;
import io.pinhole.notify.v1.DevicePlatform;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.shard.DatabaseConfig;
import io.pinhole.platform.shard.ShardedDatabase;
import io.pinhole.platform.server.PinholeServer;

/** svc-notify: one Armeria server on {@code PINHOLE_NOTIFY_PORT} (default 9105). */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        PinholeServer.start(newServer(Env.system()));
    }

    /** The whole service, configured once from {@code env}. */
    static Server newServer(Env env) {
        final PinholeServer.Builder server = PinholeServer.builder(PinholeService.NOTIFY, env);
        configureServices(server, env);
        return server.build();
    }

    static void configureServices(PinholeServer.Builder server, Env env) {
        final ShardedDatabase database = ShardedDatabase.open(
                DatabaseConfig.fromEnvironment(env, PinholeService.NOTIFY.databaseName()), mybatis -> { }, null);
        server.closeOnStop(database);
        database.migrate();
        server.service(new NotifyService())
              .exampleRequest(NotifyServiceGrpc.SERVICE_NAME, "RegisterDevice", RegisterDeviceRequest.newBuilder().setPlatform(DevicePlatform.DEVICE_PLATFORM_APNS).setToken("device-token-hex").build());
    }
}
