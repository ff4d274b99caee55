package io.pinhole.platform.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.BadRequest;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1alpha.ServerReflectionGrpc;
import io.grpc.reflection.v1alpha.ServerReflectionRequest;
import io.grpc.reflection.v1alpha.ServerReflectionResponse;
import io.grpc.reflection.v1alpha.ServiceResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.pinhole.platform.testing.RunningService;
import io.pinhole.test.v1.EchoRequest;
import io.pinhole.test.v1.EchoResponse;
import io.pinhole.test.v1.EchoServiceGrpc;
import io.pinhole.test.v1.EchoServiceGrpc.EchoServiceBlockingStub;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PinholeServerTest {

    private static final EchoService echo = new EchoService();
    private static PinholeServer.Builder builder;
    private static RunningService server;
    private static String base;
    private static EchoServiceBlockingStub stub;

    @BeforeAll
    static void start() {
        builder = PinholeServer.builder("svc-test").port(0).service(echo)
                .exampleRequest(EchoServiceGrpc.SERVICE_NAME, "Echo", EchoRequest.newBuilder().setText("hi").build());
        server = RunningService.start(builder.build());
        base = server.baseUrl();
        stub = server.client(EchoServiceBlockingStub.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void health_isServing_thenFollowsReadiness() {
        assertThat(server.health()).isEqualTo(ServingStatus.SERVING);
        builder.readiness().setHealthy(false);
        try {
            assertThat(server.health()).isEqualTo(ServingStatus.NOT_SERVING);
        } finally {
            builder.readiness().setHealthy(true);
        }
        assertThat(WebClient.of(base).get("/health").aggregate().join().status()).isEqualTo(HttpStatus.OK);
    }

    @Test
    void reflection_listsTheServices() throws Exception {
        final var reflection = server.client(ServerReflectionGrpc.ServerReflectionStub.class);
        final CompletableFuture<List<String>> names = new CompletableFuture<>();
        final StreamObserver<ServerReflectionRequest> requests = reflection.serverReflectionInfo(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        names.complete(response.getListServicesResponse().getServiceList().stream()
                                .map(ServiceResponse::getName).toList());
                    }

                    @Override
                    public void onError(Throwable t) {
                        names.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
        requests.onCompleted();
        assertThat(names.get(10, TimeUnit.SECONDS))
                .contains("pinhole.test.v1.EchoService", "grpc.health.v1.Health");
    }

    @Test
    void docs_describeTheRpcs_withTheExample() {
        final String spec = WebClient.of(base).get("/docs/specification.json").aggregate().join().contentUtf8();
        assertThat(spec.replace(" ", "")).contains("pinhole.test.v1.EchoService").contains("\"name\":\"Echo\"")
                .contains("hi");
    }

    @Test
    void metrics_exposePrometheusTextWithRpcCounters() {
        stub.echo(EchoRequest.newBuilder().setText("count me").build());
        final AggregatedHttpResponse metrics = WebClient.of(base).get("/metrics").aggregate().join();
        assertThat(metrics.status()).isEqualTo(HttpStatus.OK);
        assertThat(metrics.contentUtf8()).contains("grpc_service_requests_total").contains("service=\"svc-test\"")
                                         .contains("jvm_memory_used_bytes");
    }

    @Test
    void callerMistake_isInvalidArgument_withEveryFieldViolation() {
        final var error = catchThrowableOfType(StatusRuntimeException.class,
                () -> stub.echo(EchoRequest.newBuilder().setFailWith("invalid").build()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        final com.google.rpc.Status details = StatusProto.fromThrowable(error);
        assertThat(details).isNotNull();
        final List<String> fields = details.getDetailsList().stream()
                .filter(any -> any.is(BadRequest.class))
                .flatMap(any -> unpack(any).getFieldViolationsList().stream())
                .map(BadRequest.FieldViolation::getField)
                .toList();
        assertThat(fields).containsExactly("text", "fail_with");
    }

    @Test
    void notFound_keepsItsCode() {
        final var error = catchThrowableOfType(StatusRuntimeException.class,
                () -> stub.echo(EchoRequest.newBuilder().setFailWith("not_found").build()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(error.getStatus().getDescription()).isEqualTo("no echo here");
    }

    @Test
    void bug_isInternal_withoutLeakingTheMessage() {
        final var error = catchThrowableOfType(StatusRuntimeException.class,
                () -> stub.echo(EchoRequest.newBuilder().setFailWith("bug").build()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(error.getStatus().getDescription()).isEqualTo("internal error");
        assertThat(error.toString()).doesNotContain("secret").doesNotContain("IllegalStateException");
    }

    @Test
    void viewerHeader_reachesTheService_andMalformedIsUnauthenticated() {
        assertThat(Viewer.as(stub, 77).echo(EchoRequest.getDefaultInstance()).getViewerId()).isEqualTo(77);
        assertThat(stub.echo(EchoRequest.getDefaultInstance()).getViewerId()).isZero();

        final Metadata bad = new Metadata();
        bad.put(Viewer.KEY, "not-a-number");
        final var error = catchThrowableOfType(StatusRuntimeException.class,
                () -> stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bad))
                          .echo(EchoRequest.getDefaultInstance()));
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void blockingWork_runsOffTheEventLoop() {
        final EchoResponse response = stub.echo(EchoRequest.newBuilder().setText("where").build());
        assertThat(response.getThread()).contains("blocking").doesNotContain("worker");
    }

    @Test
    void unframedJson_isServed() {
        final AggregatedHttpResponse response = WebClient.of(base).execute(
                RequestHeaders.builder(HttpMethod.POST, "/pinhole.test.v1.EchoService/Echo")
                              .contentType(MediaType.JSON_UTF_8).build(),
                "{\"text\":\"json works\"}").aggregate().join();
        assertThat(response.status()).isEqualTo(HttpStatus.OK);
        assertThat(response.contentUtf8()).contains("json works");
    }

    private static BadRequest unpack(com.google.protobuf.Any any) {
        try {
            return any.unpack(BadRequest.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
