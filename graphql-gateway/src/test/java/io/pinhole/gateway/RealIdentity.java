package io.pinhole.gateway;

import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.identity.Main;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.identity.v1.SignUpResponse;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.server.Viewer;
import io.pinhole.platform.testing.RunningService;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real svc-identity ({@link Main#newServer}) on devstack's PostgreSQL ×2, Redis and memcached, started once per
 * test JVM on a free port and shared by the gateway's test classes. Argon2 runs with small parameters so that
 * sign-ups stay fast; rate limits are small where a test proves them and large where tests would trip over each
 * other. Tests set up their users over gRPC (no client address, so no per-address limit applies) and exercise the
 * gateway for what they assert.
 */
final class RealIdentity {

    static final String PASSWORD = "correct horse battery";
    /** Sign-ups per client address and rate-limit window (15 minutes): the gateway tests that prove it use 127.0.0.2. */
    static final int SIGNUPS_PER_ADDRESS = 3;
    /** Failed logins per username before RATE_LIMITED. */
    static final int LOGIN_FAILURES_PER_USERNAME = 3;

    private static RunningService service;
    private static final AtomicInteger names = new AtomicInteger();
    private static final String RUN = Long.toString(System.nanoTime() % 100_000, 36);

    private RealIdentity() {}

    static synchronized RunningService service() {
        if (service == null) {
            final Devstack devstack = DevstackExtension.shared();
            devstack.postgres().createDatabase(PinholeService.IDENTITY.databaseName());
            final Map<String, String> env = new HashMap<>();
            env.putAll(devstack.postgres().environment());
            env.putAll(devstack.redis().environment());
            env.putAll(devstack.memcached().environment());
            env.put("PINHOLE_IDENTITY_PORT", "0");
            env.put("PINHOLE_MEDIA_ADDRESS", "127.0.0.1:1"); // svc-media is not part of these tests: nothing listens
            env.put("PINHOLE_ARGON2_MEMORY_KIB", "1024");
            env.put("PINHOLE_ARGON2_ITERATIONS", "1");
            env.put("PINHOLE_LOGIN_FAILURES_PER_USERNAME", Integer.toString(LOGIN_FAILURES_PER_USERNAME));
            env.put("PINHOLE_LOGIN_FAILURES_PER_ADDRESS", "10000");
            env.put("PINHOLE_SIGNUPS_PER_ADDRESS", Integer.toString(SIGNUPS_PER_ADDRESS));
            service = RunningService.start(Main.newServer(Env.of(env)));
            Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        }
        return service;
    }

    /** {@code host:port} for {@code PINHOLE_IDENTITY_ADDRESS}. */
    static String address() {
        return service().address();
    }

    static IdentityServiceBlockingStub anonymous() {
        return service().client(IdentityServiceBlockingStub.class);
    }

    /** A stub calling as {@code userId}, as the gateway does after authenticating a token. */
    static IdentityServiceBlockingStub as(long userId) {
        return Viewer.as(anonymous(), userId);
    }

    /** A username no other test uses: {@code prefix} (at most 12 characters) plus a counter. */
    static String uniqueName(String prefix) {
        return (prefix + "_" + RUN + names.incrementAndGet()).toLowerCase();
    }

    /** A new account, signed up over gRPC (password {@value #PASSWORD}), with its first session. */
    static Account newAccount(String prefix) {
        return newAccount(prefix, "");
    }

    static Account newAccount(String prefix, String fullName) {
        final String username = uniqueName(prefix);
        final SignUpResponse response = anonymous().signUp(SignUpRequest.newBuilder()
                .setUsername(username).setEmail(username + "@example.com").setPassword(PASSWORD)
                .setFullName(fullName).build());
        return new Account(response.getUser().getId(), username, response.getToken());
    }

    /** An account: its ID, username and a live session token. */
    record Account(long id, String username, String token) {
        String bearer() {
            return "Bearer " + token;
        }

        String idString() {
            return Long.toString(id);
        }
    }
}
