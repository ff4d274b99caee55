package io.pinhole.feed;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.pinhole.devstack.DevstackExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, FeedFixture.class})
class MainTest {

    @Test
    void start_reportsServing() {
        assertThat(FeedFixture.feedService().health()).isEqualTo(ServingStatus.SERVING);
    }
}
