package io.pinhole.platform.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.linecorp.armeria.server.Server;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.server.Viewer;
import io.pinhole.test.v1.EchoRequest;
import io.pinhole.test.v1.EchoResponse;
import io.pinhole.test.v1.EchoServiceGrpc;
import io.pinhole.test.v1.EchoServiceGrpc.EchoServiceBlockingStub;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServiceClientsTest {

    /** A downstream that counts its calls and fails as asked. */
    static final class Downstream extends EchoServiceGrpc.EchoServiceImplBase {
        final AtomicInteger calls = new AtomicInteger();
        final java.util.Set<String> failedOnce = java.util.concurrent.ConcurrentHashMap.newKeySet();
        volatile java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(0);
        volatile java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(0);

        @Override
        public void echo(EchoRequest request, StreamObserver<EchoResponse> responses) {
            calls.incrementAndGet();
            if (request.getFailWith().startsWith("unavailable-once:")
                && failedOnce.add(request.getFailWith())) { // the first call of each key fails, later ones answer
                responses.onError(Status.UNAVAILABLE.asRuntimeException());
                return;
            }
            if (request.getFailWith().equals("hold")) {
                held.countDown();
                try {
                    release.await(); // stands for a downstream that is slow to answer
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            switch (request.getFailWith()) {
                case "unavailable" -> responses.onError(Status.UNAVAILABLE.asRuntimeException());
                case "invalid" -> responses.onError(Status.INVALID_ARGUMENT.asRuntimeException());
                default -> {
                    responses.onNext(EchoResponse.newBuilder().setText(request.getText())
                            .setViewerId(Viewer.current().orElse(0)).build());
                    responses.onCompleted();
                }
            }
        }

        @Override
        public StreamObserver<EchoRequest> collect(StreamObserver<EchoResponse> responses) {
            calls.incrementAndGet();
            final StringBuilder texts = new StringBuilder();
            return new StreamObserver<>() {
                private boolean first = true;
                private boolean failed;

                @Override
                public void onNext(EchoRequest request) {
                    if (first && request.getFailWith().equals("unavailable")) {
                        failed = true;
                        responses.onError(Status.UNAVAILABLE.asRuntimeException());
                    }
                    first = false;
                    texts.append(request.getText());
                }

                @Override
                public void onError(Throwable cause) {}

                @Override
                public void onCompleted() {
                    if (!failed) {
                        responses.onNext(EchoResponse.newBuilder().setText(texts.toString()).build());
                        responses.onCompleted();
                    }
                }
            };
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
    void anIdempotentRead_isRetriedAfterUnavailable_aWriteIsNot() {
        final ServiceClients.Settings settings = smallBreaker(Duration.ofSeconds(2));
        final EchoServiceBlockingStub asRead = ServiceClients.create("retry-read", downstreamAddress,
                EchoServiceBlockingStub.class, settings.withRetries(3, method -> method.equals("Echo")));
        final int before = downstream.calls.get();
        assertThat(asRead.echo(EchoRequest.newBuilder().setText("second time lucky")
                .setFailWith("unavailable-once:read").build()).getText()).isEqualTo("second time lucky");
        assertThat(downstream.calls.get() - before).isEqualTo(2);

        final EchoServiceBlockingStub asWrite = ServiceClients.create("retry-write", downstreamAddress,
                EchoServiceBlockingStub.class, settings.withRetries(3, method -> false));
        final int beforeWrite = downstream.calls.get();
        final var error = catchThrowableOfType(StatusRuntimeException.class, () -> asWrite.echo(
                EchoRequest.newBuilder().setFailWith("unavailable-once:write").build()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(downstream.calls.get() - beforeWrite).isEqualTo(1);
    }

    @Test
    void callsAreBalancedOverReplicas_andAReplicaThatGoesAway_failsNoCall_readOrWrite() {
        final Downstream first = new Downstream();
        final Downstream second = new Downstream();
        final Server firstServer = PinholeServer.start(PinholeServer.builder("replica-1").port(0).service(first).build());
        Server secondServer = PinholeServer.start(PinholeServer.builder("replica-2").port(0).service(second).build());
        final int secondPort = secondServer.activeLocalPort();
        try {
            final String address = "127.0.0.1:" + firstServer.activeLocalPort() + ", 127.0.0.1:" + secondPort;
            // Echo counts as a write here: only calls that never reached a server may be tried again.
            final EchoServiceBlockingStub writes = ServiceClients.create("replicas", address,
                    EchoServiceBlockingStub.class, smallBreaker(Duration.ofSeconds(2)).withRetries(3, method -> false));
            for (int i = 0; i < 20; i++) {
                assertThat(writes.echo(EchoRequest.newBuilder().setText("w" + i).build()).getText()).isEqualTo("w" + i);
            }
            assertThat(first.calls.get()).isPositive();
            assertThat(second.calls.get()).isPositive();

            secondServer.stop().join();
            final int firstBefore = first.calls.get();
            for (int i = 0; i < 50; i++) {
                assertThat(writes.echo(EchoRequest.newBuilder().setText("after " + i).build()).getText())
                        .isEqualTo("after " + i);
            }
            assertThat(first.calls.get() - firstBefore).isEqualTo(50); // every call, exactly once, on the survivor

            // The replica comes back on its port (a restarted pod, a restarted process) and is used again.
            secondServer = PinholeServer.start(PinholeServer.builder("replica-2").port(secondPort).service(second)
                                                            .build());
            final int secondBefore = second.calls.get();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                writes.echo(EchoRequest.newBuilder().setText("back").build());
                assertThat(second.calls.get()).isGreaterThan(secondBefore);
            });
        } finally {
            firstServer.stop().join();
            secondServer.stop().join();
        }
    }

    @Test
    void addresses_areOneOrMoreHostPorts_andAnythingElseIsRefusedNamingIt() {
        assertThat(ServiceClients.endpoints("127.0.0.1:9101"))
                .isEqualTo(com.linecorp.armeria.client.Endpoint.of("127.0.0.1", 9101));
        assertThat(ServiceClients.endpoints("127.0.0.1:9101,127.0.0.1:9111"))
                .isInstanceOf(com.linecorp.armeria.client.endpoint.healthcheck.HealthCheckedEndpointGroup.class);
        assertThat(ServiceClients.endpoints("127.0.0.1:0")).isInstanceOf(com.linecorp.armeria.client.Endpoint.class);
        assertThatThrownBy(() -> ServiceClients.endpoints(" , "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> ServiceClients.endpoints("127.0.0.1:9101,svc-media"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'svc-media' has no port");
    }

    @Test
    void theBulkhead_refusesCallsBeyondItsLimit_withoutReachingTheDownstream() throws Exception {
        final EchoServiceBlockingStub client = ServiceClients.create("bulkhead-test", downstreamAddress,
                EchoServiceBlockingStub.class, smallBreaker(Duration.ofSeconds(10)).withBulkhead(2));
        downstream.held = new java.util.concurrent.CountDownLatch(2);
        downstream.release = new java.util.concurrent.CountDownLatch(1);
        try (var callers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            final var first = callers.submit(() -> client.echo(EchoRequest.newBuilder().setText("a").setFailWith("hold").build()));
            final var second = callers.submit(() -> client.echo(EchoRequest.newBuilder().setText("b").setFailWith("hold").build()));
            assertThat(downstream.held.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue(); // both in flight
            final int before = downstream.calls.get();

            final var refused = catchThrowableOfType(StatusRuntimeException.class,
                    () -> client.echo(EchoRequest.newBuilder().setText("c").build()));

            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(refused.getStatus().getDescription()).contains("2 calls in flight");
            assertThat(downstream.calls.get()).isEqualTo(before);
            downstream.release.countDown();
            assertThat(first.get().getText()).isEqualTo("a");
            assertThat(second.get().getText()).isEqualTo("b");
        } finally {
            downstream.release.countDown();
        }
        // the permits came back
        assertThat(client.echo(EchoRequest.newBuilder().setText("d").build()).getText()).isEqualTo("d");
    }

    @Test
    @org.junit.jupiter.api.Timeout(30) // without a deadline the held call would wait forever: fail instead of hanging
    void everyCall_hasADeadline() {
        final EchoServiceBlockingStub client = ServiceClients.create(
                "deadline-test", downstreamAddress, EchoServiceBlockingStub.class,
                smallBreaker(Duration.ofMillis(100)));
        // the downstream holds the call until released: only the deadline can end it
        downstream.held = new CountDownLatch(1);
        downstream.release = new CountDownLatch(1);
        try {
            final var error = catchThrowableOfType(StatusRuntimeException.class,
                    () -> client.echo(EchoRequest.newBuilder().setFailWith("hold").build()));
            assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        } finally {
            downstream.release.countDown();
        }
    }

    @Test
    void aReadThatStaysUnavailable_isAttemptedExactlyMaxAttemptsTimes() {
        final EchoServiceBlockingStub client = ServiceClients.create("retry-exhausted", downstreamAddress,
                EchoServiceBlockingStub.class, smallBreaker(Duration.ofSeconds(10)).withRetries(3, method -> true));
        final int before = downstream.calls.get();

        final var error = catchThrowableOfType(StatusRuntimeException.class,
                () -> client.echo(EchoRequest.newBuilder().setFailWith("unavailable").build()));

        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(downstream.calls.get() - before).isEqualTo(3);
    }

    @Test
    void retries_stopAtTheDeadline() {
        // 50 attempts with 20–200 ms of backoff between them would take about 9 s; the 1 s deadline bounds the
        // whole call, retries included.
        final EchoServiceBlockingStub client = ServiceClients.create("retry-deadline", downstreamAddress,
                EchoServiceBlockingStub.class, smallBreaker(Duration.ofSeconds(1)).withRetries(50, method -> true));
        // A first call opens the connection, so that a cold start does not eat the deadline measured below.
        assertThat(client.echo(EchoRequest.newBuilder().setText("warm").build()).getText()).isEqualTo("warm");
        final int before = downstream.calls.get();
        final long started = System.nanoTime();

        final var error = catchThrowableOfType(StatusRuntimeException.class,
                () -> client.echo(EchoRequest.newBuilder().setFailWith("unavailable").build()));

        assertThat(error.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
        assertThat(downstream.calls.get() - before).isBetween(2, 20);
    }

    @Test
    void byDefault_onlyReadsByName_areRetried_soEcho_isNot() {
        // Echo is neither Get…, List…, Batch…, Search… nor Authenticate: the default rule treats it as a write.
        final EchoServiceBlockingStub client = ServiceClients.create("retry-default", downstreamAddress,
                EchoServiceBlockingStub.class, ServiceClients.Settings.defaults());
        final int before = downstream.calls.get();

        final var error = catchThrowableOfType(StatusRuntimeException.class, () -> client.echo(
                EchoRequest.newBuilder().setFailWith("unavailable-once:default-rule").build()));

        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(downstream.calls.get() - before).isEqualTo(1);
    }

    @Test
    void theReadRule_namesPinholesReadRpcs_andNothingElse() {
        assertThat(java.util.List.of("GetUsers", "GetHomeFeed", "ListFollowers", "BatchListLikers", "SearchNearby",
                                     "Authenticate"))
                .allMatch(ServiceClients.Settings::isReadByName);
        assertThat(java.util.List.of("SignUp", "LogIn", "Follow", "Like", "AddComment", "UploadMedia", "DeleteMedia",
                                     "RegisterDevice", "Echo", "Authenticated", "get"))
                .noneMatch(ServiceClients.Settings::isReadByName);
    }

    @Test
    void settings_areReadFromTheEnvironment_andNonsenseIsRefusedNamingTheVariable() {
        final ServiceClients.Settings settings = ServiceClients.Settings.fromEnvironment(Env.of(Map.of(
                "PINHOLE_CLIENT_MAX_CONCURRENT_CALLS", "7", "PINHOLE_CLIENT_READ_ATTEMPTS", "1")));
        assertThat(settings.maxConcurrentCalls()).isEqualTo(7);
        assertThat(settings.maxAttempts()).isEqualTo(1);
        assertThat(ServiceClients.Settings.fromEnvironment(Env.of(Map.of())).maxConcurrentCalls()).isEqualTo(256);

        assertThatThrownBy(() -> ServiceClients.Settings.fromEnvironment(Env.of(Map.of(
                "PINHOLE_CLIENT_MAX_CONCURRENT_CALLS", "0"))))
                .hasMessageContaining("PINHOLE_CLIENT_MAX_CONCURRENT_CALLS");
        assertThatThrownBy(() -> ServiceClients.Settings.fromEnvironment(Env.of(Map.of(
                "PINHOLE_CLIENT_READ_ATTEMPTS", "three"))))
                .hasMessageContaining("PINHOLE_CLIENT_READ_ATTEMPTS");
    }

    @Test
    void aCallTheBulkheadRefuses_takesNoTrialPermitOfAHalfOpenCircuit() throws Exception {
        // Two trial calls close a half-open circuit. A call refused by the full bulkhead never runs; had it taken
        // the second trial permit, the circuit would refuse every call after the first trial ("circuit open").
        final ServiceClients.Settings settings = new ServiceClients.Settings(Duration.ofSeconds(10),
                CircuitBreakerConfig.custom().slidingWindowSize(2).minimumNumberOfCalls(2).failureRateThreshold(50)
                        .waitDurationInOpenState(Duration.ofSeconds(1)).permittedNumberOfCallsInHalfOpenState(2)
                        .build())
                .withBulkhead(1).withRetries(1, method -> false);
        final EchoServiceBlockingStub client = ServiceClients.create("half-open-test", downstreamAddress,
                EchoServiceBlockingStub.class, settings);
        for (int i = 0; i < 2; i++) {
            catchThrowableOfType(StatusRuntimeException.class,
                    () -> client.echo(EchoRequest.newBuilder().setFailWith("unavailable").build()));
        }
        assertThat(catchThrowableOfType(StatusRuntimeException.class,
                () -> client.echo(EchoRequest.newBuilder().setText("too soon").build())).getStatus().getDescription())
                .contains("circuit open");

        downstream.held = new CountDownLatch(1);
        downstream.release = new CountDownLatch(1);
        try (var callers = Executors.newVirtualThreadPerTaskExecutor()) {
            final CompletableFuture<Void> holding = CompletableFuture.runAsync(() -> {
                try {
                    downstream.held.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, callers);
            final var firstTrial = new java.util.concurrent.atomic.AtomicReference<CompletableFuture<EchoResponse>>();
            // Refused at once while the circuit is open; once it is half-open, the first trial call is let through
            // and the downstream holds it.
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                final CompletableFuture<EchoResponse> call = CompletableFuture.supplyAsync(() -> client.echo(
                        EchoRequest.newBuilder().setText("trial 1").setFailWith("hold").build()), callers);
                CompletableFuture.anyOf(call, holding).exceptionally(e -> null).get(10, TimeUnit.SECONDS);
                firstTrial.set(call);
                return holding.isDone();
            });

            final var refused = catchThrowableOfType(StatusRuntimeException.class,
                    () -> client.echo(EchoRequest.newBuilder().setText("over the bulkhead").build()));
            assertThat(refused.getStatus().getDescription()).contains("calls in flight");
            downstream.release.countDown();
            assertThat(firstTrial.get().get(10, TimeUnit.SECONDS).getText()).isEqualTo("trial 1");

            final int before = downstream.calls.get();
            assertThat(client.echo(EchoRequest.newBuilder().setText("trial 2").build()).getText()).isEqualTo("trial 2");
            assertThat(downstream.calls.get() - before).isEqualTo(1);
            // two good trials closed it
            assertThat(client.echo(EchoRequest.newBuilder().setText("closed").build()).getText()).isEqualTo("closed");
        } finally {
            downstream.release.countDown();
        }
    }

    @Test
    void aStreamingCall_isNeverRetried_evenWhenTheRuleCallsItARead() throws Exception {
        // A retried stream must be replayed, so RetryingClient would keep all of it (an upload: the whole file).
        final EchoServiceGrpc.EchoServiceStub client = ServiceClients.create("retry-stream", downstreamAddress,
                EchoServiceGrpc.EchoServiceStub.class, smallBreaker(Duration.ofSeconds(10)).withRetries(3, method -> true));
        final int before = downstream.calls.get();

        final var error = catchThrowableOfType(java.util.concurrent.ExecutionException.class,
                () -> collect(client, EchoRequest.newBuilder().setText("chunk 1").setFailWith("unavailable").build(),
                              EchoRequest.newBuilder().setText("chunk 2").build()).get(10, TimeUnit.SECONDS));

        assertThat(Status.fromThrowable(error.getCause()).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(downstream.calls.get() - before).isEqualTo(1);
        // and a stream that succeeds passes through whole
        assertThat(collect(client, EchoRequest.newBuilder().setText("chunk 1").build(),
                           EchoRequest.newBuilder().setText(" chunk 2").build()).get(10, TimeUnit.SECONDS).getText())
                .isEqualTo("chunk 1 chunk 2");
    }

    private static CompletableFuture<EchoResponse> collect(EchoServiceGrpc.EchoServiceStub client,
                                                           EchoRequest... requests) {
        final CompletableFuture<EchoResponse> answer = new CompletableFuture<>();
        final StreamObserver<EchoRequest> stream = client.collect(new StreamObserver<>() {
            @Override
            public void onNext(EchoResponse response) {
                answer.complete(response);
            }

            @Override
            public void onError(Throwable cause) {
                answer.completeExceptionally(cause);
            }

            @Override
            public void onCompleted() {}
        });
        for (EchoRequest request : requests) {
            stream.onNext(request);
        }
        stream.onCompleted();
        return answer;
    }
}
