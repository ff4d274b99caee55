package io.pinhole.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.identity.v1.IdentityServiceGrpc;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import java.sql.Connection;
import java.sql.SQLException;
import io.pinhole.platform.server.Viewer;
import io.pinhole.platform.testing.RunningService;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DevstackExtension.class)
class MainTest {

    private static RunningService service;

    @BeforeAll
    static void start(Devstack devstack) {
        devstack.postgres().createDatabase(PinholeService.IDENTITY.databaseName());
        service = RunningService.start(Main.newServer(
                Env.of(devstack.postgres().environment()).with(Map.of("PINHOLE_IDENTITY_PORT", "0"))));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void start_migratesEveryLogicalShard_thenReportsServing(Devstack devstack) throws SQLException {
        try (Connection connection = devstack.postgres().server(1).connect(PinholeService.IDENTITY.databaseName())) {
            assertThat(RunningService.migratedShards(connection)).isEqualTo(8); // shards 8–15 of 16 are on server 1
        }
        assertThat(service.health()).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void getUsers_answersUnimplemented_untilIssue4Lands() {
        final var stub = Viewer.as(service.client(IdentityServiceGrpc.IdentityServiceBlockingStub.class), 1);
        final var error = catchThrowableOfType(StatusRuntimeException.class, () -> stub.getUsers(GetUsersRequest.newBuilder().addUserIds(1).build()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }
}
