package io.pinhole.identity;

import com.linecorp.armeria.server.Server;
import io.pinhole.identity.v1.IdentityServiceGrpc;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.shard.DatabaseConfig;
import io.pinhole.platform.shard.ShardedDatabase;
import io.pinhole.platform.server.PinholeServer;

/** svc-identity: one Armeria server on {@code PINHOLE_IDENTITY_PORT} (default 9101). */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        PinholeServer.start(newServer(Env.system()));
    }

    /** The whole service, configured once from {@code env}. */
    static Server newServer(Env env) {
        final PinholeServer.Builder server = PinholeServer.builder(PinholeService.IDENTITY, env);
        configureServices(server, env);
        return server.build();
    }

    static void configureServices(PinholeServer.Builder server, Env env) {
        final ShardedDatabase database = ShardedDatabase.open(
                DatabaseConfig.fromEnvironment(env, PinholeService.IDENTITY.databaseName()), mybatis -> { }, null);
        server.closeOnStop(database);
        database.migrate();
        server.service(new IdentityService())
              .exampleRequest(IdentityServiceGrpc.SERVICE_NAME, "GetUsers", GetUsersRequest.newBuilder().addUserIds(1L << 23).build());
    }
}
