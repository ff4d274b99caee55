package io.pinhole.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.server.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.media.v1.MediaServiceGrpc;
import io.pinhole.media.v1.GetMediaRequest;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.server.Viewer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevstackExtension.class)
class MainTest {

    private static Server server;
    private static String base;

    @BeforeAll
    static void start(Devstack devstack) {
        devstack.postgres().createDatabase(PinholeService.MEDIA.databaseName());
        final Env env = Env.of(devstack.postgres().environment()).with(Map.of("PINHOLE_MEDIA_PORT", "0"));
        server = PinholeServer.start(Main.newServer(env));
        base = "http://127.0.0.1:" + server.activeLocalPort();
    }

    @AfterAll
    static void stop() {
        server.stop().join();
    }

    @Test
    void start_reportsServing() {
        final var health = GrpcClients.newClient(base, HealthGrpc.HealthBlockingStub.class);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void getMedia_answersUnimplemented_untilIssue5Lands() {
        final var stub = Viewer.as(GrpcClients.newClient(base, MediaServiceGrpc.MediaServiceBlockingStub.class), 1);
        final var error = catchThrowableOfType(StatusRuntimeException.class, () -> stub.getMedia(GetMediaRequest.newBuilder().addMediaIds(1).build()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }

    @Test
    void start_migratesEveryLogicalShard(Devstack devstack) throws Exception {
        try (Connection connection = devstack.postgres().server(1).connect(PinholeService.MEDIA.databaseName());
             ResultSet rows = connection.createStatement().executeQuery(
                     "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                     + "WHERE p.proname = 'next_id' AND n.nspname LIKE 'shard\\_%'")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(8); // logical shards 8–15 of the default 16 live on server 1
        }
    }
}
