package io.pinhole.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.identity.v1.SignUpResponse;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.server.Viewer;
import io.pinhole.platform.testing.RunningService;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One svc-identity per test JVM, on devstack's PostgreSQL ×2, Redis and memcached, shared by the test classes
 * (starting it migrates 16 shards on two servers). Argon2 runs with small parameters so that sign-ups stay fast.
 * Test classes register it with {@code @ExtendWith(IdentityFixture.class)}; it is stopped at the end of the run,
 * before devstack.
 */
final class IdentityFixture implements BeforeAllCallback {

    /** The environment tests run the service with; a test may start a second instance with overrides. */
    static Map<String, String> environment(Devstack devstack) {
        final Map<String, String> env = new HashMap<>();
        env.putAll(devstack.postgres().environment());
        env.putAll(devstack.redis().environment());
        env.putAll(devstack.memcached().environment());
        env.put("PINHOLE_IDENTITY_PORT", "0");
        env.put("PINHOLE_MEDIA_ADDRESS", "127.0.0.1:1"); // nothing listens: avatars answer UNAVAILABLE
        env.put("PINHOLE_ARGON2_MEMORY_KIB", "1024");
        env.put("PINHOLE_ARGON2_ITERATIONS", "1");
        env.put("PINHOLE_LOGIN_FAILURES_PER_USERNAME", "3");
        env.put("PINHOLE_LOGIN_FAILURES_PER_ADDRESS", "5");
        env.put("PINHOLE_SIGNUPS_PER_ADDRESS", "3");
        env.put("PINHOLE_QUEUE_MAX_DELIVERIES", "30");
        env.put("PINHOLE_QUEUE_BACKOFF_MAX", "1s");
        return env;
    }

    private static RunningService service;
    private static final AtomicInteger names = new AtomicInteger();
    private static final String RUN = Long.toString(System.nanoTime() % 100_000, 36);

    IdentityFixture() {}

    @Override
    public void beforeAll(ExtensionContext context) {
        final Devstack devstack = DevstackExtension.shared(context);
        synchronized (IdentityFixture.class) {
            service = context.getRoot().getStore(ExtensionContext.Namespace.create(IdentityFixture.class))
                    .getOrComputeIfAbsent(RunningService.class, key -> {
                        devstack.postgres().createDatabase(PinholeService.IDENTITY.databaseName());
                        return RunningService.start(Main.newServer(Env.of(environment(devstack))));
                    }, RunningService.class);
        }
    }

    static synchronized RunningService service() {
        if (service == null) {
            throw new IllegalStateException("register the fixture: @ExtendWith(IdentityFixture.class)");
        }
        return service;
    }

    static IdentityServiceBlockingStub anonymous() {
        return service().client(IdentityServiceBlockingStub.class);
    }

    static IdentityServiceBlockingStub as(long viewer) {
        return Viewer.as(anonymous(), viewer);
    }

    /** A username no other test uses: {@code prefix} plus a counter. */
    static String uniqueName(String prefix) {
        return (prefix + "_" + RUN + names.incrementAndGet()).toLowerCase();
    }

    static SignUpResponse signUp(String username, String fullName) {
        return anonymous().signUp(SignUpRequest.newBuilder().setUsername(username).setEmail(username + "@example.com")
                                               .setPassword("correct horse battery").setFullName(fullName).build());
    }

    static long newUser(String prefix) {
        return signUp(uniqueName(prefix), "").getUser().getId();
    }

    /** A new user whose logical shard lives on {@code physicalServer} (shards are chosen at random at sign-up). */
    static long newUserOnServer(String prefix, int physicalServer) {
        for (int attempt = 0; attempt < 64; attempt++) {
            final long id = newUser(prefix);
            if (PinholeIds.shard(id) / 8 == physicalServer) { // 16 logical shards, 8 per server
                return id;
            }
        }
        throw new AssertionError("no sign-up landed on server " + physicalServer + " in 64 tries");
    }

    static Connection connect(int physicalServer) throws SQLException {
        return DevstackExtension.shared().postgres().server(physicalServer).connect(PinholeService.IDENTITY.databaseName());
    }

    /** Asserts that {@code call} fails with {@code code} and, when given, field violations on exactly {@code fields}. */
    static StatusRuntimeException assertFails(Status.Code code, ThrowingCallable call, String... fields) {
        final StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, call);
        assertThat(error).as("expected %s", code).isNotNull();
        assertThat(error.getStatus().getCode()).isEqualTo(code);
        if (fields.length > 0) {
            assertThat(violatedFields(error)).containsExactlyInAnyOrder(fields);
        }
        return error;
    }

    static List<String> violatedFields(StatusRuntimeException error) {
        final com.google.rpc.Status status = StatusProto.fromThrowable(error);
        assertThat(status).isNotNull();
        return status.getDetailsList().stream().filter(any -> any.is(BadRequest.class)).flatMap(any -> {
            try {
                return any.unpack(BadRequest.class).getFieldViolationsList().stream();
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }).map(BadRequest.FieldViolation::getField).toList();
    }

    private static io.lettuce.core.RedisClient redis;

    /** A Redis client for tests that look at streams or keys directly. */
    static synchronized io.lettuce.core.RedisClient redis() {
        if (redis == null) {
            redis = io.lettuce.core.RedisClient.create(DevstackExtension.shared().redis().uri());
        }
        return redis;
    }

    private static final io.lettuce.core.codec.RedisCodec<String, byte[]> STRING_KEYS =
            io.lettuce.core.codec.RedisCodec.of(io.lettuce.core.codec.StringCodec.UTF8, io.lettuce.core.codec.ByteArrayCodec.INSTANCE);

    /** Appends an event the way the outbox relay does. */
    static void publish(String topic, EventEnvelope event) {
        try (var connection = redis().connect(STRING_KEYS)) {
            connection.sync().xadd(topic, Map.of("event", event.toByteArray(),
                                                 "event_id", event.getEventId().getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** True when the topic's stream holds an event matching {@code test}. */
    static boolean streamHolds(String topic, java.util.function.Predicate<EventEnvelope> test) {
        try (var connection = redis().connect(STRING_KEYS)) {
            return connection.sync().xrange(topic, io.lettuce.core.Range.create("-", "+"))
                    .stream().map(message -> message.getBody().get("event"))
                    .anyMatch(bytes -> {
                        if (bytes == null) {
                            return false;
                        }
                        try {
                            return test.test(EventEnvelope.parseFrom(bytes));
                        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                            return false;
                        }
                    });
        }
    }
}
