package io.pinhole.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.pinhole.feed.v1.FeedServiceGrpc;
import io.pinhole.feed.v1.GetHomeFeedRequest;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.server.Viewer;
import io.pinhole.platform.testing.RunningService;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MainTest {

    private static RunningService service;

    @BeforeAll
    static void start() {
        service = RunningService.start(Main.newServer(Env.of(Map.of("PINHOLE_FEED_PORT", "0"))));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void start_reportsServing() {
        assertThat(service.health()).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void getHomeFeed_answersUnimplemented_untilIssue6Lands() {
        final var stub = Viewer.as(service.client(FeedServiceGrpc.FeedServiceBlockingStub.class), 1);
        final var error = catchThrowableOfType(StatusRuntimeException.class, () -> stub.getHomeFeed(GetHomeFeedRequest.getDefaultInstance()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }
}
