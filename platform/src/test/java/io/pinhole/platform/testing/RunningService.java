package io.pinhole.platform.testing;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.server.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.pinhole.platform.server.PinholeServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A service started for a test on a free port, as {@code ./pinhole up} starts it, with real gRPC clients to it.
 * Shared by the services' tests through platform's test jar.
 */
public final class RunningService implements AutoCloseable {

    private final Server server;
    private final String baseUrl;

    private RunningService(Server server) {
        this.server = server;
        this.baseUrl = "http://127.0.0.1:" + server.activeLocalPort();
    }

    /** Starts {@code server} (built with port 0) and waits until it serves. */
    public static RunningService start(Server server) {
        return new RunningService(PinholeServer.start(server));
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** {@code host:port}, as other services' {@code PINHOLE_<NAME>_ADDRESS} take it. */
    public String address() {
        return baseUrl.substring("http://".length());
    }

    /** A blocking or async stub of {@code stubClass} talking to the service over HTTP/2. */
    public <T> T client(Class<T> stubClass) {
        return GrpcClients.newClient(baseUrl, stubClass);
    }

    /** What {@code grpc.health.v1.Health/Check} answers for the whole server. */
    public ServingStatus health() {
        return client(HealthGrpc.HealthBlockingStub.class).check(HealthCheckRequest.getDefaultInstance()).getStatus();
    }

    /** How many logical shard schemas of {@code connection}'s database have the ID generator. */
    public static int migratedShards(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                     + "WHERE p.proname = 'next_id' AND n.nspname LIKE 'shard\\_%'")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Override
    public void close() {
        server.stop().join();
    }
}
