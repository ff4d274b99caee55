package io.pinhole.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.platform.testing.RunningService;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, IdentityFixture.class})
class MainTest {

    @Test
    void start_migratesEveryLogicalShard_thenReportsServing() throws SQLException {
        final RunningService service = IdentityFixture.service();
        try (Connection connection = IdentityFixture.connect(1)) {
            assertThat(RunningService.migratedShards(connection)).isEqualTo(8); // shards 8–15 of 16 are on server 1
        }
        assertThat(service.health()).isEqualTo(ServingStatus.SERVING);
    }
}
