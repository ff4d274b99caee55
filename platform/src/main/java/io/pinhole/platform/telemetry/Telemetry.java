package io.pinhole.platform.telemetry;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
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
    private static volatile ServerInterceptor server;
    private static volatile ClientInterceptor client;

    private Telemetry() {}

    /**
     * Configures the process's OpenTelemetry once, named {@code serviceName} unless OTEL_SERVICE_NAME says otherwise;
     * call it first thing in a process (PinholeServer.builder does for the services, GatewayApplication for the
     * gateway). Later calls return what the first one configured.
     */
    public static OpenTelemetry initialize(String serviceName) {
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

    /** The process's OpenTelemetry ({@link #initialize}d as {@code pinhole} if nobody did). */
    public static OpenTelemetry openTelemetry() {
        return initialize("pinhole");
    }

    /**
     * Uses {@code telemetry} from now on, also in the interceptors already handed out (tests record spans in memory
     * with it, whenever their servers were built).
     */
    public static synchronized void install(OpenTelemetry telemetry) {
        final GrpcTelemetry instrumentation = GrpcTelemetry.create(telemetry);
        server = instrumentation.createServerInterceptor();
        client = instrumentation.createClientInterceptor();
        openTelemetry = telemetry;
    }

    /** Starts a server span per call (continuing the caller's trace) and makes it current while the call runs. */
    public static ServerInterceptor serverInterceptor() {
        openTelemetry();
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                              ServerCallHandler<Q, A> next) {
                return server.interceptCall(call, headers, next);
            }
        };
    }

    /** Starts a client span per call and sends its context ({@code traceparent}) with the call. */
    public static ClientInterceptor clientInterceptor() {
        openTelemetry();
        return new ClientInterceptor() {
            @Override
            public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
                return client.interceptCall(method, options, next);
            }
        };
    }
}
