package io.pinhole.platform.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.linecorp.armeria.client.grpc.GrpcClients;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.pinhole.platform.telemetry.Telemetry;
import io.pinhole.platform.telemetry.TraceIdConverter;
import io.pinhole.platform.testing.RunningService;
import io.pinhole.test.v1.EchoRequest;
import io.pinhole.test.v1.EchoServiceGrpc.EchoServiceBlockingStub;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One trace across a client and a Pinhole server: the span context travels with the call. */
class TracingTest {

    @Test
    void aCallContinuesTheCallersTraceAndLogLinesCarryIt() {
        final InMemorySpanExporter spans = InMemorySpanExporter.create();
        Telemetry.install(OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build());
        try (RunningService server = RunningService.start(
                PinholeServer.builder("svc-traced").port(0).service(new EchoService()).build())) {
            final EchoServiceBlockingStub stub = GrpcClients.builder(server.baseUrl())
                    .intercept(Telemetry.clientInterceptor()).build(EchoServiceBlockingStub.class);
            final Span request = Telemetry.openTelemetry().getTracer("test").spanBuilder("request").startSpan();
            try (Scope ignored = request.makeCurrent()) {
                assertThat(new TraceIdConverter().convert(null)).isEqualTo("trace=" + request.getSpanContext().getTraceId() + " ");
                stub.echo(EchoRequest.newBuilder().setText("traced").build());
            } finally {
                request.end();
            }
            assertThat(new TraceIdConverter().convert(null)).isEmpty(); // no call being served, no trace in the line

            // the server ends its span just after sending the answer: wait for it
            await().atMost(Duration.ofSeconds(5)).until(() -> spans.getFinishedSpanItems().size() == 3);
            final List<SpanData> finished = spans.getFinishedSpanItems();
            final SpanData client = finished.stream().filter(span -> span.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
            final SpanData serverSpan = finished.stream().filter(span -> span.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
            final String traceId = request.getSpanContext().getTraceId();
            assertThat(client.getTraceId()).isEqualTo(traceId);
            assertThat(client.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
            assertThat(serverSpan.getTraceId()).isEqualTo(traceId);
            assertThat(serverSpan.getParentSpanId()).isEqualTo(client.getSpanId());
            assertThat(serverSpan.getName()).isEqualTo("pinhole.test.v1.EchoService/Echo");
        } finally {
            Telemetry.install(io.opentelemetry.api.OpenTelemetry.noop());
        }
    }
}
