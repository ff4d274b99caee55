package io.pinhole.platform.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.linecorp.armeria.server.Server;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.server.Viewer;
import io.pinhole.test.v1.EchoRequest;
import io.pinhole.test.v1.EchoResponse;
import io.pinhole.test.v1.EchoServiceGrpc;
import io.pinhole.test.v1.EchoServiceGrpc.EchoServiceBlockingStub;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServiceClientsTest {

    /** A downstream that counts its calls and fails as asked. */
    static final class Downstream extends EchoServiceGrpc.EchoServiceImplBase {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void echo(EchoRequest request, StreamObserver<EchoResponse> responses) {
            calls.incrementAndGet();
            switch (request.getFailWith()) {
                case "unavailable" -> responses.onError(Status.UNAVAILABLE.asRuntimeException());
                case "invalid" -> responses.onError(Status.INVALID_ARGUMENT.asRuntimeException());
                case "slow" -> {
                    try {
                        Thread.sleep(500); // stands for a slow downstream
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    responses.onNext(EchoResponse.getDefaultInstance());
                    responses.onCompleted();
                }
                default -> {
                    responses.onNext(EchoResponse.newBuilder().setText(request.getText())
                            .setViewerId(Viewer.current().orElse(0)).build());
                    responses.onCompleted();
                }
            }
        }
    }

    /** A front service that calls the downstream for each request, as services call each other. */
    static final class Front extends EchoServiceGrpc.EchoServiceImplBase {
        EchoServiceBlockingStub downstream;

        @Override
        public void echo(EchoRequest request, StreamObserver<EchoResponse> responses) {
            responses.onNext(downstream.echo(request));
            responses.onCompleted();
        }
    }

    private static final Downstream downstream = new Downstream();
    private static final Front front = new Front();
    private static Server downstreamServer;
    private static Server frontServer;
    private static String downstreamAddress;

    @BeforeAll
    static void start() {
        downstreamServer = PinholeServer.start(PinholeServer.builder("downstream").port(0).service(downstream).build());
        downstreamAddress = "127.0.0.1:" + downstreamServer.activeLocalPort();
        front.downstream = ServiceClients.create("downstream", downstreamAddress, EchoServiceBlockingStub.class,
                                                 ServiceClients.Settings.defaults());
        frontServer = PinholeServer.start(PinholeServer.builder("front").port(0).service(front).build());
    }

    @AfterAll
    static void stop() {
        frontServer.stop().join();
        downstreamServer.stop().join();
    }

    private static ServiceClients.Settings smallBreaker(Duration deadline) {
        return new ServiceClients.Settings(deadline, CircuitBreakerConfig.custom()
                .slidingWindowSize(10).minimumNumberOfCalls(5).failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofMinutes(1)).build());
    }

    @Test
    void viewer_isPassedOnToDownstreamCalls() {
        final EchoServiceBlockingStub client = ServiceClients.create(
                "front", "127.0.0.1:" + frontServer.activeLocalPort(), EchoServiceBlockingStub.class,
                ServiceClients.Settings.defaults());
        final EchoResponse response = Viewer.as(client, 4242).echo(EchoRequest.newBuilder().setText("x").build());
        assertThat(response.getViewerId()).isEqualTo(4242);
    }

    @Test
    void failingDownstream_opensTheCircuit_andLaterCallsFailFastWithoutReachingIt() {
        final EchoServiceBlockingStub client = ServiceClients.create(
                "breaker-test", downstreamAddress, EchoServiceBlockingStub.class, smallBreaker(Duration.ofSeconds(2)));
        for (int i = 0; i < 6; i++) {
            catchThrowableOfType(StatusRuntimeException.class,
                    () -> client.echo(EchoRequest.newBuilder().setFailWith("unavailable").build()));
        }
        final int callsBefore = downstream.calls.get();

        final var error = catchThrowableOfType(StatusRuntimeException.class,
                () -> client.echo(EchoRequest.newBuilder().setText("healthy now").build()));

        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(error.getStatus().getDescription()).contains("circuit open");
        assertThat(downstream.calls.get()).isEqualTo(callsBefore);
    }

    @Test
    void callerMistakes_neverOpenTheCircuit() {
        final EchoServiceBlockingStub client = ServiceClients.create(
                "mistakes-test", downstreamAddress, EchoServiceBlockingStub.class, smallBreaker(Duration.ofSeconds(2)));
        for (int i = 0; i < 10; i++) {
            final var error = catchThrowableOfType(StatusRuntimeException.class,
                    () -> client.echo(EchoRequest.newBuilder().setFailWith("invalid").build()));
            assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
        assertThat(client.echo(EchoRequest.newBuilder().setText("still closed").build()).getText())
                .isEqualTo("still closed");
    }

    @Test
    void everyCall_hasADeadline() {
        final EchoServiceBlockingStub client = ServiceClients.create(
                "deadline-test", downstreamAddress, EchoServiceBlockingStub.class,
                smallBreaker(Duration.ofMillis(100)));
        final var error = catchThrowableOfType(StatusRuntimeException.class,
                () -> client.echo(EchoRequest.newBuilder().setFailWith("slow").build()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }
}
