package io.pinhole.platform.client;

import static java.util.Objects.requireNonNull;

import com.linecorp.armeria.client.ClientRequestContext;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.endpoint.EndpointGroup;
import com.linecorp.armeria.client.endpoint.dns.DnsAddressEndpointGroup;
import com.linecorp.armeria.client.endpoint.healthcheck.HealthCheckedEndpointGroup;
import com.linecorp.armeria.common.SessionProtocol;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * take every thread of its callers), retries (Armeria's RetryingClient, within the deadline) of unary idempotent reads
 * on UNAVAILABLE and of any unary call that never reached a server (a write that may have happened is never tried
 * again here — that is the caller's to judge), and calls balanced over the service's health-checked replicas
 * ({@link #endpoints}).
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
     * {@code address}; {@code name} names the circuit breaker in logs and metrics. See {@link #endpoints} for the
     * forms of {@code address}.
     */
    public static <T> T create(String name, String address, Class<T> stubClass, Settings settings) {
        requireNonNull(name, "name");
        requireNonNull(address, "address");
        requireNonNull(settings, "settings");
        final CircuitBreaker breaker = CircuitBreaker.of(name, settings.circuitBreaker());
        final Bulkhead bulkhead = Bulkhead.of(name, BulkheadConfig.custom()
                .maxConcurrentCalls(settings.maxConcurrentCalls()).maxWaitDuration(Duration.ZERO).build());
        final GrpcClientBuilder builder = GrpcClients.builder(SessionProtocol.HTTP, endpoints(address))
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
            builder.decorator(delegate -> new RetryingUnaryOnly(delegate, retrying));
        }
        return builder.build(stubClass);
    }

    /** How often a replica that failed its health check is checked again (and so how soon a restarted one is used). */
    static final Duration HEALTH_RECHECK = Duration.ofSeconds(1);

    /**
     * Where the calls go. {@code address} is one {@code host:port} or several separated by commas (the replicas
     * {@code ./pinhole up --replicas 2} starts). One address whose host is an IP literal is used as it is. Otherwise
     * every address is a member of one group, balanced round robin, and each member is health checked through the
     * {@code /health} every Pinhole server serves (Armeria long-polls it, so a replica that dies or begins to shut
     * down leaves the group at once, and returns when it answers healthy again); a host name is resolved through DNS
     * and every address it has is a member — in Kubernetes, a headless Service's name gives one member per ready pod.
     */
    public static EndpointGroup endpoints(String address) {
        final List<String> parts = Arrays.stream(address.split(",")).map(String::trim).filter(p -> !p.isEmpty())
                                         .toList();
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("service address is empty");
        }
        final List<EndpointGroup> members = new ArrayList<>();
        for (String part : parts) {
            final Endpoint endpoint = Endpoint.parse(part);
            // (port 0, a test's "not started here", parses as no port and is kept: its calls fail as refused)
            if (!part.matches(".*:[0-9]+")) {
                throw new IllegalArgumentException("service address '" + part + "' has no port (host:port)");
            }
            members.add(endpoint.isIpAddrOnly() ? endpoint
                                                : DnsAddressEndpointGroup.of(endpoint.host(), endpoint.port()));
        }
        if (members.size() == 1 && members.get(0) instanceof Endpoint single) {
            return single;
        }
        return HealthCheckedEndpointGroup.builder(EndpointGroup.of(members), "/health")
                                         .retryInterval(HEALTH_RECHECK)
                                         .build();
    }

    /**
     * Sends unary calls through Armeria's RetryingClient and every stream straight on. RetryingClient keeps a copy
     * of the whole request until the answer decides whether to try again — for a streaming upload (svc-media's
     * Upload through the gateway), the whole file in memory — so streams must never pass through it, not merely be
     * refused a retry by its rule. Which unary calls are tried again is {@link #retryRule}'s to decide.
     */
    static final class RetryingUnaryOnly extends SimpleDecoratingHttpClient {
        private final HttpClient retrying;

        RetryingUnaryOnly(HttpClient delegate, Function<? super HttpClient, RetryingClient> retrying) {
            super(delegate);
            this.retrying = retrying.apply(delegate);
        }

        @Override
        public HttpResponse execute(ClientRequestContext ctx, HttpRequest req) throws Exception {
            if (ctx.exchangeType() == ExchangeType.UNARY) {
                return retrying.execute(ctx, req);
            }
            return unwrap().execute(ctx, req);
        }
    }

    /**
     * Tries again, after 20–200 ms of jittered backoff and within the deadline: a read that the server answered
     * UNAVAILABLE or that failed without an answer (its connection closed: a replica killed mid-call), and any unary call that never reached a server (connection refused, a replica that went away
     * before the request was sent — Armeria's "unprocessed" guarantee), read or write: a write that was never sent
     * cannot have happened. A write that reached a server is never tried again here.
     */
    static RetryRule retryRule(Predicate<String> idempotentRead) {
        final Backoff backoff = Backoff.exponential(20, 200).withJitter(0.2);
        return RetryRule.of(
                RetryRule.builder((ctx, headers) -> idempotentRead.test(methodName(headers.path())))
                        .onGrpcTrailers((ctx, trailers) -> {
                            final Integer status = trailers.getInt(GRPC_STATUS);
                            return status != null && status == Status.Code.UNAVAILABLE.value();
                        })
                        .onException() // e.g. the connection closed under it: the replica was killed mid-call
                        .thenBackoff(backoff),
                RetryRule.builder().onUnprocessed().thenBackoff(backoff));
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
