package io.pinhole.bench;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.server.Server;
import com.spotify.folsom.MemcacheClient;
import io.lettuce.core.GetExArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackConfig;
import io.pinhole.identity.Main;
import io.pinhole.identity.v1.AuthenticateRequest;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.platform.client.MemcachedClients;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.server.PinholeServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * svc-identity's two hot reads over real gRPC against a real stack (PostgreSQL ×2, Redis, memcached):
 * {@code Authenticate} (the gateway calls it once per request) and {@code GetUsers} with 100 IDs, warm (every list
 * the gateway renders). Closed loop: {@code clients} threads call back to back for {@code seconds}; throughput and
 * latency percentiles (HdrHistogram) per call. Beside each, the floor measured in the same run on the same machine:
 * the bare Redis GETEX an Authenticate does, and the bare memcached multi-get of 100 keys a warm GetUsers does.
 *
 * <p>Client, service and servers share the machine's cores, so the figures are a ratio to the floor more than an
 * absolute capacity.
 */
final class IdentityBenchmark {

    private IdentityBenchmark() {}

    record Result(double perSecond, double p50, double p99, double max) {
        String json() {
            return String.format(Locale.ROOT, "{\"per_s\": %.0f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f}",
                                 perSecond, p50, p99, max);
        }
    }

    static void run(int clients, int seconds) throws Exception {
        try (Devstack devstack = Devstack.create(DevstackConfig.forTests())) {
            devstack.postgres().createDatabase("pinhole_identity");
            final Map<String, String> env = new HashMap<>();
            env.putAll(devstack.postgres().environment());
            env.putAll(devstack.redis().environment());
            env.putAll(devstack.memcached().environment());
            env.put("PINHOLE_IDENTITY_PORT", "0");
            env.put("PINHOLE_ARGON2_MEMORY_KIB", "1024"); // seeding speed only: no measured call hashes
            env.put("PINHOLE_ARGON2_ITERATIONS", "1");
            env.put("PINHOLE_SIGNUPS_PER_ADDRESS", "1000000");
            final Server server = PinholeServer.start(Main.newServer(Env.of(env)));
            final RedisClient redis = RedisClient.create(devstack.redis().uri());
            final MemcacheClient<byte[]> memcached = MemcachedClients.create(List.of(devstack.memcached().servers()), Duration.ofSeconds(2));
            try (StatefulRedisConnection<String, String> redisConnection = redis.connect()) {
                final IdentityServiceBlockingStub identity = GrpcClients.newClient(
                        "http://127.0.0.1:" + server.activeLocalPort(), IdentityServiceBlockingStub.class);
                System.out.println("seeding 200 users…");
                final List<Long> ids = new ArrayList<>();
                final List<String> tokens = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    final var account = identity.signUp(SignUpRequest.newBuilder().setUsername("bench_" + i)
                            .setEmail("bench_" + i + "@example.com").setPassword("benchmark password").build());
                    ids.add(account.getUser().getId());
                    tokens.add(account.getToken());
                }
                final GetUsersRequest hundred = GetUsersRequest.newBuilder().addAllUserIds(ids.subList(0, 100)).build();
                identity.getUsers(hundred); // warm the cache
                final List<String> sessionKeys = redisConnection.sync().keys("session:v1:*");
                final List<String> userKeys = ids.subList(0, 100).stream().map(id -> "user:v1:" + id).toList();

                System.out.println("measuring (" + clients + " clients, " + seconds + " s each)…");
                final Result authenticate = measure(clients, seconds, i -> identity.authenticate(
                        AuthenticateRequest.newBuilder().setToken(tokens.get((int) (i % tokens.size()))).build()));
                final Result authenticateFloor = measure(clients, seconds, i -> redisConnection.sync().getex(
                        sessionKeys.get((int) (i % sessionKeys.size())), GetExArgs.Builder.px(Duration.ofDays(30).toMillis())));
                final Result getUsers = measure(clients, seconds, i -> {
                    if (identity.getUsers(hundred).getUsersCount() != 100) {
                        throw new IllegalStateException("GetUsers lost users");
                    }
                });
                final Result getUsersFloor = measure(clients, seconds, i -> memcached.get(userKeys).toCompletableFuture().get());

                final String report = String.format(Locale.ROOT, """
                        {"clients": %d, "seconds": %d,
                         "authenticate": %s, "authenticate_floor_redis_getex": %s, "authenticate_ratio_to_floor": %.3f,
                         "get_users_100_warm": %s, "get_users_floor_memcached_get_100": %s, "get_users_ratio_to_floor": %.3f}
                        """, clients, seconds, authenticate.json(), authenticateFloor.json(),
                        authenticate.perSecond() / authenticateFloor.perSecond(), getUsers.json(), getUsersFloor.json(),
                        getUsers.perSecond() / getUsersFloor.perSecond());
                System.out.println(report);
                Files.createDirectories(Path.of("bench/reports"));
                Files.writeString(Path.of("bench/reports/identity.json"), report);
            } finally {
                server.stop().join();
                memcached.shutdown();
                redis.shutdown();
            }
        }
    }

    @FunctionalInterface
    interface Call {
        void run(long iteration) throws Exception;
    }

    /** {@code clients} threads calling back to back: one second of warm-up, then {@code seconds} measured. */
    static Result measure(int clients, int seconds, Call call) throws Exception {
        final Recorder recorder = new Recorder(3);
        final LongAdder calls = new LongAdder();
        final long warmUpEnds = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        final long ends = warmUpEnds + TimeUnit.SECONDS.toNanos(seconds);
        final CountDownLatch done = new CountDownLatch(clients);
        try (ExecutorService executor = Executors.newFixedThreadPool(clients)) {
            for (int client = 0; client < clients; client++) {
                final long offset = client * 7919L;
                executor.execute(() -> {
                    try {
                        for (long i = offset; ; i++) {
                            final long start = System.nanoTime();
                            if (start >= ends) {
                                break;
                            }
                            call.run(i);
                            if (start >= warmUpEnds) {
                                recorder.recordValue(System.nanoTime() - start);
                                calls.increment();
                            }
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            done.await();
        }
        final Histogram histogram = recorder.getIntervalHistogram();
        return new Result(calls.sum() / (double) seconds, histogram.getValueAtPercentile(50) / 1e6,
                          histogram.getValueAtPercentile(99) / 1e6, histogram.getMaxValue() / 1e6);
    }
}
