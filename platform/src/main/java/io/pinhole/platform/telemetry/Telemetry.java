package io.pinhole.platform.telemetry;

import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;

/**
 * Traces across the gateway and the services, with OpenTelemetry: one SDK per process, configured by the standard
 * {@code OTEL_*} variables (https://opentelemetry.io/docs/languages/sdk-configuration/). By default nothing is
 * exported — set {@code OTEL_EXPORTER_OTLP_ENDPOINT} and {@code OTEL_TRACES_EXPORTER=otlp} (Jaeger, Tempo, an
 * OpenTelemetry Collector…) — but trace IDs exist anyway: every log line written while serving a call carries its
 * trace ID ({@link TraceIdConverter}), and the W3C {@code traceparent} header travels with every gRPC call, so one
 * request's lines can be found in every service's log.
 */
public final class Telemetry {

    private static volatile OpenTelemetry openTelemetry;
    private static volatile GrpcTelemetry grpc;

    private Telemetry() {}

    /** The process's OpenTelemetry, configured on first use ({@code serviceName} when OTEL_SERVICE_NAME is unset). */
    public static OpenTelemetry openTelemetry(String serviceName) {
        OpenTelemetry current = openTelemetry;
        if (current == null) {
            synchronized (Telemetry.class) {
                current = openTelemetry;
                if (current == null) {
                    current = AutoConfiguredOpenTelemetrySdk.builder()
                            .addPropertiesSupplier(() -> Map.of( // defaults: OTEL_* variables override them
                                    "otel.service.name", serviceName,
                                    "otel.traces.exporter", "none",
                                    "otel.metrics.exporter", "none",
                                    "otel.logs.exporter", "none"))
                            .build().getOpenTelemetrySdk();
                    install(current);
                }
            }
        }
        return current;
    }

    /** Uses {@code telemetry} from now on (tests record spans in memory with it). */
    public static synchronized void install(OpenTelemetry telemetry) {
        openTelemetry = telemetry;
        grpc = GrpcTelemetry.create(telemetry);
    }

    /** Starts a server span per call (continuing the caller's trace) and makes it current while the call runs. */
    public static ServerInterceptor serverInterceptor(String serviceName) {
        openTelemetry(serviceName);
        return grpc.createServerInterceptor();
    }

    /** Starts a client span per call and sends its context ({@code traceparent}) with the call. */
    public static ClientInterceptor clientInterceptor(String serviceName) {
        openTelemetry(serviceName);
        return grpc.createClientInterceptor();
    }
}
