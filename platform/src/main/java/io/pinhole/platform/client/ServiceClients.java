package io.pinhole.platform.client;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.client.ClientRequestContext;
import com.linecorp.armeria.client.HttpClient;
import com.linecorp.armeria.client.SimpleDecoratingHttpClient;
import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.common.ExchangeType;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
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
import com.linecorp.armeria.client.grpc.GrpcClientBuilder;
import com.linecorp.armeria.client.retry.Backoff;
import com.linecorp.armeria.client.retry.RetryConfig;
import com.linecorp.armeria.client.retry.RetryRule;
import com.linecorp.armeria.client.retry.RetryingClient;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.util.function.Function;
import java.util.function.Predicate;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * gRPC stubs for calling another Pinhole service, all built the same way: a deadline on every call (the caller's
 * own deadline when it is shorter, so deadlines propagate), the viewer passed on ({@link Viewer}), a Resilience4j
 * circuit breaker per downstream that fails fast with UNAVAILABLE while the downstream is failing, a Resilience4j
 * bulkhead per downstream that refuses with UNAVAILABLE beyond a number of calls in flight (one slow service cannot
 * take every thread of its callers), and retries of unary idempotent reads only (Armeria's RetryingClient, within the
 * deadline, on UNAVAILABLE or a request that never reached the server; writes are never retried here — a write
 * that may have happened is the caller's to judge).
 *
 * <p>Only UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL and UNKNOWN count as the downstream's failures; a caller's
 * mistake (INVALID_ARGUMENT, NOT_FOUND…) is a healthy answer and never opens the breaker.
 */
public final class ServiceClients {

    private static final Set<Status.Code> DOWNSTREAM_FAILURES = Set.of(
            Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.INTERNAL, Status.Code.UNKNOWN);

    /** The trailer carrying a gRPC call's status code. */
    private static final String GRPC_STATUS = "grpc-status";

    private ServiceClients() {}

    /**
     * Settings of calls to one downstream.
     *
     * @param maxConcurrentCalls the bulkhead: calls in flight at once, beyond which a call is refused at once
     * @param maxAttempts attempts of an idempotent read (1 = no retry)
     * @param idempotentRead which methods (by name, e.g. {@code GetUsers}) are reads that may be retried
     */
    public record Settings(Duration deadline, CircuitBreakerConfig circuitBreaker, int maxConcurrentCalls,
                           int maxAttempts, Predicate<String> idempotentRead) {

        public Settings {
            requireNonNull(deadline, "deadline");
            requireNonNull(circuitBreaker, "circuitBreaker");
            requireNonNull(idempotentRead, "idempotentRead");
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive, was " + deadline); // every call has one
            }
            if (maxConcurrentCalls < 1) {
                throw new IllegalArgumentException("maxConcurrentCalls must be at least 1, was " + maxConcurrentCalls);
            }
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
            }
        }

        public Settings(Duration deadline, CircuitBreakerConfig circuitBreaker) {
            this(deadline, circuitBreaker, 256, 3, Settings::isReadByName);
        }

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(2), CircuitBreakerConfig.custom()
                    .failureRateThreshold(50)
                    .slidingWindowSize(50)
                    .minimumNumberOfCalls(20)
                    .waitDurationInOpenState(Duration.ofSeconds(5))
                    .permittedNumberOfCallsInHalfOpenState(5)
                    .build());
        }

        /**
         * The defaults with {@code PINHOLE_CLIENT_MAX_CONCURRENT_CALLS} (256) and {@code PINHOLE_CLIENT_READ_ATTEMPTS}
         * (3) from {@code env}.
         */
        public static Settings fromEnvironment(io.pinhole.platform.config.Env env) {
            final Settings defaults = defaults();
            return new Settings(defaults.deadline(), defaults.circuitBreaker(),
                                atLeastOne(env, "PINHOLE_CLIENT_MAX_CONCURRENT_CALLS", defaults.maxConcurrentCalls()),
                                atLeastOne(env, "PINHOLE_CLIENT_READ_ATTEMPTS", defaults.maxAttempts()),
                                defaults.idempotentRead());
        }

        private static int atLeastOne(io.pinhole.platform.config.Env env, String name, int defaultValue) {
            final int value = env.integer(name, defaultValue);
            if (value < 1) {
                throw new IllegalArgumentException("Environment variable " + name + " must be at least 1, was " + value);
            }
            return value;
        }

        public Settings withDeadline(Duration deadline) {
            return new Settings(deadline, circuitBreaker, maxConcurrentCalls, maxAttempts, idempotentRead);
        }

        public Settings withBulkhead(int maxConcurrentCalls) {
            return new Settings(deadline, circuitBreaker, maxConcurrentCalls, maxAttempts, idempotentRead);
        }

        public Settings withRetries(int maxAttempts, Predicate<String> idempotentRead) {
            return new Settings(deadline, circuitBreaker, maxConcurrentCalls, maxAttempts, idempotentRead);
        }

        /**
         * Pinhole's naming rule: {@code Get…}, {@code List…}, {@code Batch…}, {@code Search…} and
         * {@code Authenticate} only read (proto comments say so per RPC); everything else may write.
         */
        static boolean isReadByName(String method) {
            return method.startsWith("Get") || method.startsWith("List") || method.startsWith("Batch")
                   || method.startsWith("Search") || method.equals("Authenticate");
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
        final Bulkhead bulkhead = Bulkhead.of(name, BulkheadConfig.custom()
                .maxConcurrentCalls(settings.maxConcurrentCalls()).maxWaitDuration(Duration.ZERO).build());
        final GrpcClientBuilder builder = GrpcClients.builder("http://" + address)
                .responseTimeout(Duration.ZERO) // the gRPC deadline below is the one limit
                // last runs first: the span covers the call; a call the bulkhead refuses never counts in the breaker
                .intercept(Viewer.propagatingInterceptor(),
                           deadlineInterceptor(settings.deadline()),
                           circuitBreakerInterceptor(breaker),
                           bulkheadInterceptor(bulkhead),
                           Telemetry.clientInterceptor());
        if (settings.maxAttempts() > 1) {
            final Function<? super HttpClient, RetryingClient> retrying = RetryingClient.newDecorator(
                    RetryConfig.builder(retryRule(settings.idempotentRead())).maxTotalAttempts(settings.maxAttempts())
                            .build());
            builder.decorator(delegate -> new RetryingReadsOnly(delegate, retrying, settings.idempotentRead()));
        }
        return builder.build(stubClass);
    }

    /**
     * Sends unary idempotent reads through Armeria's RetryingClient and every other call straight on. RetryingClient
     * keeps a copy of the whole request until the answer decides whether to try again — for a streaming upload
     * (svc-media's Upload through the gateway), the whole file in memory — and aggregates every request it sees,
     * so writes and streams must never pass through it, not merely be refused a retry by its rule.
     */
    static final class RetryingReadsOnly extends SimpleDecoratingHttpClient {
        private final HttpClient retrying;
        private final Predicate<String> idempotentRead;

        RetryingReadsOnly(HttpClient delegate, Function<? super HttpClient, RetryingClient> retrying,
                          Predicate<String> idempotentRead) {
            super(delegate);
            this.retrying = retrying.apply(delegate);
            this.idempotentRead = idempotentRead;
        }

        @Override
        public HttpResponse execute(ClientRequestContext ctx, HttpRequest req) throws Exception {
            if (ctx.exchangeType() == ExchangeType.UNARY && idempotentRead.test(methodName(req.path()))) {
                return retrying.execute(ctx, req);
            }
            return unwrap().execute(ctx, req);
        }
    }

    /**
     * Retries a read that the server answered UNAVAILABLE or that never reached it (connection refused, a replica
     * going away), after 20–200 ms of jittered backoff; the deadline still bounds the whole call.
     */
    static RetryRule retryRule(Predicate<String> idempotentRead) {
        return RetryRule.builder((ctx, headers) -> idempotentRead.test(methodName(headers.path())))
                .onGrpcTrailers((ctx, trailers) -> {
                    final Integer status = trailers.getInt(GRPC_STATUS);
                    return status != null && status == Status.Code.UNAVAILABLE.value();
                })
                .onUnprocessed()
                .thenBackoff(Backoff.exponential(20, 200).withJitter(0.2));
    }

    /** {@code GetUsers} of {@code /pinhole.identity.v1.IdentityService/GetUsers}. */
    static String methodName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * Refuses a call with UNAVAILABLE when the downstream already has its share of calls in flight from here.
     *
     * <p>The permit is taken before the next interceptor creates its call: a refused call then never reaches the
     * circuit breaker, which would otherwise hand out one of its few half-open trial permits to a call that never
     * runs and never reports back (leaving the breaker stuck half-open). The permit is given back exactly once, when
     * the call closes or is cancelled before it started.
     */
    static ClientInterceptor bulkheadInterceptor(Bulkhead bulkhead) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options,
                                                        Channel next) {
                if (!bulkhead.tryAcquirePermission()) {
                    return new RefusedCall<>(Status.UNAVAILABLE.withDescription(bulkhead.getName()
                            + " has " + bulkhead.getBulkheadConfig().getMaxConcurrentCalls()
                            + " calls in flight from here; not calling it"));
                }
                final AtomicBoolean released = new AtomicBoolean();
                final Runnable release = () -> {
                    if (released.compareAndSet(false, true)) {
                        bulkhead.onComplete();
                    }
                };
                final ClientCall<Q, R> call;
                try {
                    call = next.newCall(method, options);
                } catch (RuntimeException e) {
                    release.run();
                    throw e;
                }
                return new SimpleForwardingClientCall<>(call) {
                    private volatile boolean started;

                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        started = true;
                        super.start(new SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                release.run();
                                super.onClose(status, trailers);
                            }
                        }, headers);
                    }

                    @Override
                    public void cancel(String message, Throwable cause) {
                        if (!started) {
                            release.run(); // a call cancelled before start never closes its listener
                        }
                        super.cancel(message, cause);
                    }
                };
            }
        };
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
