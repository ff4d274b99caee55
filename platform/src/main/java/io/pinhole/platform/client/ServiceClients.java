package io.pinhole.platform.client;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.client.grpc.GrpcClients;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.pinhole.platform.server.Viewer;
import io.pinhole.platform.telemetry.Telemetry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * gRPC stubs for calling another Pinhole service, all built the same way: a deadline on every call (the caller's
 * own deadline when it is shorter, so deadlines propagate), the viewer passed on ({@link Viewer}), and a
 * Resilience4j circuit breaker per downstream that fails fast with UNAVAILABLE while the downstream is failing.
 *
 * <p>Only UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL and UNKNOWN count as the downstream's failures; a caller's
 * mistake (INVALID_ARGUMENT, NOT_FOUND…) is a healthy answer and never opens the breaker.
 */
public final class ServiceClients {

    private static final Set<Status.Code> DOWNSTREAM_FAILURES = Set.of(
            Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.INTERNAL, Status.Code.UNKNOWN);

    private ServiceClients() {}

    /** Settings of calls to one downstream. */
    public record Settings(Duration deadline, CircuitBreakerConfig circuitBreaker) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(2), CircuitBreakerConfig.custom()
                    .failureRateThreshold(50)
                    .slidingWindowSize(50)
                    .minimumNumberOfCalls(20)
                    .waitDurationInOpenState(Duration.ofSeconds(5))
                    .permittedNumberOfCallsInHalfOpenState(5)
                    .build());
        }

        public Settings withDeadline(Duration deadline) {
            return new Settings(deadline, circuitBreaker);
        }
    }

    /**
     * A stub of type {@code stubClass} (e.g. {@code MediaServiceGrpc.MediaServiceBlockingStub}) for the service at
     * {@code address} ({@code host:port}); {@code name} names the circuit breaker in logs and metrics.
     */
    public static <T> T create(String name, String address, Class<T> stubClass, Settings settings) {
        requireNonNull(name, "name");
        requireNonNull(address, "address");
        requireNonNull(settings, "settings");
        final CircuitBreaker breaker = CircuitBreaker.of(name, settings.circuitBreaker());
        return GrpcClients.builder("http://" + address)
                          .responseTimeout(Duration.ZERO) // the gRPC deadline below is the one limit
                          .intercept(Viewer.propagatingInterceptor(),
                                     deadlineInterceptor(settings.deadline()),
                                     circuitBreakerInterceptor(breaker),
                                     Telemetry.clientInterceptor()) // last runs first: the span covers the call
                          .build(stubClass);
    }

    /**
     * {@code stub} counting its calls in {@code pinhole.client.calls{client, method}} on {@code meters}: the RED
     * "rate" of each downstream method, and how tests check that a page makes one batch call per entity type.
     */
    public static <S extends io.grpc.stub.AbstractStub<S>> S counted(S stub, String clientName,
                                                                      io.micrometer.core.instrument.MeterRegistry meters) {
        return stub.withInterceptors(new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
                                                         io.grpc.Channel next) {
                io.micrometer.core.instrument.Counter.builder("pinhole.client.calls")
                        .description("calls made to other services, per method")
                        .tag("client", clientName).tag("method", method.getFullMethodName())
                        .register(meters).increment();
                return next.newCall(method, options);
            }
        });
    }

    /** Sets a deadline on calls that have none, and never a later one than the current call's own deadline. */
    static ClientInterceptor deadlineInterceptor(Duration defaultDeadline) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
                                                        Channel next) {
                Deadline deadline = options.getDeadline();
                if (deadline == null) {
                    deadline = Deadline.after(defaultDeadline.toNanos(), TimeUnit.NANOSECONDS);
                }
                final Deadline inherited = Context.current().getDeadline();
                if (inherited != null && inherited.isBefore(deadline)) {
                    deadline = inherited;
                }
                return next.newCall(method, options.withDeadline(deadline));
            }
        };
    }

    static ClientInterceptor circuitBreakerInterceptor(CircuitBreaker breaker) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
                                                        Channel next) {
                if (!breaker.tryAcquirePermission()) {
                    return new RefusedCall<>(Status.UNAVAILABLE.withDescription(
                            breaker.getName() + " is failing; circuit open, not calling it"));
                }
                final long started = System.nanoTime();
                return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        super.start(new SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                final long elapsed = System.nanoTime() - started;
                                if (status.getCode() == Status.Code.CANCELLED) {
                                    breaker.releasePermission();
                                } else if (DOWNSTREAM_FAILURES.contains(status.getCode())) {
                                    breaker.onError(elapsed, TimeUnit.NANOSECONDS, status.asRuntimeException());
                                } else {
                                    breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
                                }
                                super.onClose(status, trailers);
                            }
                        }, headers);
                    }
                };
            }
        };
    }

    /** A call that never reaches the network and closes at once with {@code status}. */
    private static final class RefusedCall<Q, R> extends ClientCall<Q, R> {
        private final Status status;

        RefusedCall(Status status) {
            this.status = status;
        }

        @Override
        public void start(Listener<R> listener, Metadata headers) {
            listener.onClose(status, new Metadata());
        }

        @Override
        public void request(int numMessages) {}

        @Override
        public void cancel(String message, Throwable cause) {}

        @Override
        public void halfClose() {}

        @Override
        public void sendMessage(Q message) {}
    }
}
