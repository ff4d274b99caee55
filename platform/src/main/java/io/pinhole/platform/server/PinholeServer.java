package io.pinhole.platform.server;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Message;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.grpc.GrpcMeterIdPrefixFunction;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.common.prometheus.PrometheusMeterRegistries;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerListener;
import com.linecorp.armeria.server.docs.DocService;
import com.linecorp.armeria.server.docs.DocServiceBuilder;
import com.linecorp.armeria.server.grpc.GrpcHealthCheckService;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.grpc.GrpcServiceBuilder;
import com.linecorp.armeria.server.healthcheck.HealthCheckService;
import com.linecorp.armeria.server.healthcheck.SettableHealthChecker;
import com.linecorp.armeria.server.metric.MetricCollectingService;
import com.linecorp.armeria.server.prometheus.PrometheusExpositionService;
import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.telemetry.ErrorReporting;
import io.pinhole.platform.telemetry.Telemetry;
import io.pinhole.platform.error.GrpcErrors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds every Pinhole service's Armeria server the same way, on one port:
 * <ul>
 *   <li>the service's gRPC implementations, run on the blocking task executor (JDBC, S3 and Solr calls block; they
 *       must never run on the event loop), also reachable as gRPC-Web and as unframed JSON
 *       ({@code POST /pinhole.media.v1.MediaService/GetMedia} with {@code Content-Type: application/json});</li>
 *   <li>{@code grpc.health.v1.Health} (SERVING only once started and ready, NOT_SERVING from the moment shutdown
 *       begins) and an HTTP {@code /health} for probes that do not speak gRPC;</li>
 *   <li>gRPC server reflection, DocService at {@code /docs} with example requests, Prometheus at {@code /metrics};</li>
 *   <li>the viewer interceptor ({@link Viewer}) and the exception mapping ({@link GrpcErrors});</li>
 *   <li>graceful shutdown: in-flight calls finish, then registered resources close in reverse order.</li>
 * </ul>
 */
public final class PinholeServer {

    private static final Logger log = LoggerFactory.getLogger(PinholeServer.class);

    private PinholeServer() {}

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder for one of the five services: its name, its port and shutdown settings read from {@code env}. */
    public static Builder builder(PinholeService service, Env env) {
        Telemetry.initialize(service.serviceName());
        ErrorReporting.installFromEnvironment(env, service.serviceName());
        return new Builder(service.serviceName())
                .port(service.port(env))
                .shutdown(ShutdownConfig.fromEnvironment(env));
    }

    /** Starts {@code server}, closes it (and so its resources) on JVM shutdown, and waits until it is serving. */
    public static Server start(Server server) {
        server.closeOnJvmShutdown();
        server.start().join();
        return server;
    }

    /** The settings every service reads: {@code PINHOLE_SHUTDOWN_QUIET_PERIOD} and {@code PINHOLE_SHUTDOWN_TIMEOUT}. */
    public record ShutdownConfig(Duration quietPeriod, Duration timeout) {
        public static ShutdownConfig fromEnvironment(Env env) {
            return new ShutdownConfig(env.duration("PINHOLE_SHUTDOWN_QUIET_PERIOD", Duration.ofMillis(500)),
                                      env.duration("PINHOLE_SHUTDOWN_TIMEOUT", Duration.ofSeconds(10)));
        }
    }

    /** Collects a service's parts; {@link #build()} wires them into a server. */
    public static final class Builder {
        private final String name;
        private int port;
        private final List<BindableService> services = new ArrayList<>();
        private final List<ServerInterceptor> interceptors = new ArrayList<>();
        private final List<AutoCloseable> resources = new ArrayList<>();
        private final List<Example> examples = new ArrayList<>();
        private PrometheusMeterRegistry meterRegistry;
        private ShutdownConfig shutdown = new ShutdownConfig(Duration.ofMillis(500), Duration.ofSeconds(10));
        private final SettableHealthChecker readiness = new SettableHealthChecker(true);

        private Builder(String name) {
            this.name = requireNonNull(name, "name");
        }

        /** The TCP port; 0 picks a free one (tests). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder service(BindableService service) {
            services.add(requireNonNull(service, "service"));
            return this;
        }

        public Builder interceptor(ServerInterceptor interceptor) {
            interceptors.add(requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /** A request shown pre-filled in DocService for {@code serviceName}/{@code method}. */
        public Builder exampleRequest(String serviceName, String method, Message request) {
            examples.add(new Example(serviceName, method, request));
            return this;
        }

        /** Closed after the server stops, in reverse order of registration (pools, clients, workers). */
        public Builder closeOnStop(AutoCloseable resource) {
            resources.add(requireNonNull(resource, "resource"));
            return this;
        }

        /**
         * The registry served at {@code /metrics}, already tagged with the service name: give it to pools, relays
         * and consumers before {@link #build()} so their meters carry the tag too.
         */
        public PrometheusMeterRegistry meterRegistry() {
            if (meterRegistry == null) {
                meterRegistry = PrometheusMeterRegistries.newRegistry();
                meterRegistry.config().commonTags("service", name);
            }
            return meterRegistry;
        }

        public Builder shutdown(ShutdownConfig shutdown) {
            this.shutdown = requireNonNull(shutdown, "shutdown");
            return this;
        }

        /**
         * The readiness switch: health answers NOT_SERVING while it is false (set it false while a dependency the
         * service cannot work without is down).
         */
        public SettableHealthChecker readiness() {
            return readiness;
        }

        public Server build() {
            final PrometheusMeterRegistry registry = meterRegistry();
            new JvmMemoryMetrics().bindTo(registry);
            new JvmGcMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);

            final GrpcServiceBuilder grpc = GrpcService.builder()
                    .useBlockingTaskExecutor(true)
                    .supportedSerializationFormats(GrpcSerializationFormats.values())
                    .enableUnframedRequests(true)
                    .exceptionHandler(GrpcErrors.exceptionHandler())
                    .addService(GrpcHealthCheckService.builder().checkers(readiness).build())
                    .addService(ProtoReflectionService.newInstance());
            services.forEach(grpc::addService);
            final List<ServerInterceptor> all = new ArrayList<>(interceptors);
            all.add(Viewer.serverInterceptor());
            all.add(Telemetry.serverInterceptor()); // last = outermost: the span covers the whole call
            grpc.intercept(all);

            final DocServiceBuilder docs = DocService.builder()
                    .exampleHeaders(HttpHeaders.of(Viewer.HEADER, "1"));
            for (Example example : examples) {
                docs.exampleRequests(example.serviceName(), example.method(), example.request());
            }

            final ServerBuilder sb = Server.builder()
                    .http(port)
                    .meterRegistry(registry)
                    .gracefulShutdownTimeout(shutdown.quietPeriod(), shutdown.timeout())
                    .service(grpc.build(),
                             MetricCollectingService.newDecorator(GrpcMeterIdPrefixFunction.of("grpc.service")))
                    .service("/health", HealthCheckService.of(readiness))
                    .service("/metrics", PrometheusExpositionService.of(registry.getPrometheusRegistry()))
                    .serviceUnder("/docs", docs.build())
                    .serverListener(ServerListener.builder()
                            .whenStarted(server -> log.info("{} serving gRPC on port {} (docs at /docs)", name,
                                                            server.activeLocalPort()))
                            .whenStopping(server -> readiness.setHealthy(false))
                            .whenStopped(server -> closeResources())
                            .build());
            return sb.build();
        }

        private void closeResources() {
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (Exception e) {
                    log.warn("{}: closing {} failed", name, resources.get(i), e);
                }
            }
        }
    }

    private record Example(String serviceName, String method, Message request) {}
}
