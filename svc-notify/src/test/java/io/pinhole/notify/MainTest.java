package io.pinhole.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.testing.RunningService;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, NotifyFixture.class})
class MainTest {

    @Test
    void start_migratesEveryLogicalShard_thenReportsServing(Devstack devstack) throws SQLException {
        try (Connection connection = devstack.postgres().server(1).connect(PinholeService.NOTIFY.databaseName())) {
            assertThat(RunningService.migratedShards(connection)).isEqualTo(8); // shards 8–15 of 16 are on server 1
        }
        assertThat(NotifyFixture.notifyService().health()).isEqualTo(ServingStatus.SERVING);
    }
}
