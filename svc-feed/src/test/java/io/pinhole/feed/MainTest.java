package io.pinhole.feed;

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
import io.pinhole.feed.v1.FeedServiceGrpc;
import io.pinhole.feed.v1.GetHomeFeedRequest;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.server.Viewer;
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
        final Env env = Env.of(Map.of("PINHOLE_FEED_PORT", "0"));
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
    void getHomeFeed_answersUnimplemented_untilIssue6Lands() {
        final var stub = Viewer.as(GrpcClients.newClient(base, FeedServiceGrpc.FeedServiceBlockingStub.class), 1);
        final var error = catchThrowableOfType(StatusRuntimeException.class, () -> stub.getHomeFeed(GetHomeFeedRequest.getDefaultInstance()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }
}
