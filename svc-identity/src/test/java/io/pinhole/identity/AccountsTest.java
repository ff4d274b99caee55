package io.pinhole.identity;

import static io.pinhole.identity.IdentityFixture.anonymous;
import static io.pinhole.identity.IdentityFixture.assertFails;
import static io.pinhole.identity.IdentityFixture.signUp;
import static io.pinhole.identity.IdentityFixture.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.RetryInfo;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.identity.v1.AuthenticateRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.LogInRequest;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.identity.v1.SignUpResponse;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.shard.ShardMap;
import io.pinhole.platform.testing.RunningService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, IdentityFixture.class})
class AccountsTest {

    private static final String PASSWORD = "correct horse battery";

    @Test
    void signUp_createsLowerCasedUser_andASessionThatAuthenticates() {
        final String name = uniqueName("Alice.Smith");
        final SignUpResponse response = anonymous().signUp(SignUpRequest.newBuilder()
                .setUsername(name.toUpperCase()).setEmail(name.toUpperCase() + "@Example.com")
                .setPassword(PASSWORD).setFullName("  Alice Smith ").build());

        assertThat(response.getUser().getUsername()).isEqualTo(name);
        assertThat(response.getUser().getFullName()).isEqualTo("Alice Smith");
        assertThat(PinholeIds.isPlausible(response.getUser().getId())).isTrue();
        assertThat(response.getToken()).matches("[A-Za-z0-9_-]{43}"); // 256 bits, URL-safe
        assertThat(response.getExpiresAt().getSeconds()).isGreaterThan(Instant.now().plusSeconds(29L * 24 * 3600).getEpochSecond());
        assertThat(anonymous().authenticate(AuthenticateRequest.newBuilder().setToken(response.getToken()).build()).getUserId())
                .isEqualTo(response.getUser().getId());
    }

    @Test
    void signUp_reportsEveryMalformedField() {
        final StatusRuntimeException error = assertFails(Code.INVALID_ARGUMENT, () -> anonymous().signUp(
                SignUpRequest.newBuilder().setUsername("no spaces allowed").setEmail("not-an-email")
                             .setPassword("short").setFullName("tab\there").build()),
                "username", "email", "password", "full_name");
        assertThat(error.getStatus().getDescription()).doesNotContain("Exception");
        assertFails(Code.INVALID_ARGUMENT, () -> anonymous().signUp(SignUpRequest.newBuilder()
                .setUsername("a".repeat(31)).setEmail("a@b.co").setPassword("p".repeat(257)).build()), "username", "password");
        assertFails(Code.INVALID_ARGUMENT, () -> anonymous().signUp(SignUpRequest.newBuilder()
                .setUsername(uniqueName("addr")).setEmail(uniqueName("addr") + "@b.co").setPassword(PASSWORD)
                .setClientAddress("not an address").build()), "client_address");
    }

    @Test
    void signUp_takenUsernameOrEmail_isAlreadyExists_comparedCaseInsensitively() {
        final String name = uniqueName("taken");
        signUp(name, "");
        assertFails(Code.ALREADY_EXISTS, () -> anonymous().signUp(SignUpRequest.newBuilder()
                .setUsername(name.toUpperCase()).setEmail("other." + name + "@example.com").setPassword(PASSWORD).build()), "username");

        final String other = uniqueName("fresh");
        assertFails(Code.ALREADY_EXISTS, () -> anonymous().signUp(SignUpRequest.newBuilder()
                .setUsername(other).setEmail(name.toUpperCase() + "@EXAMPLE.com").setPassword(PASSWORD).build()), "email");
        // The username claimed by the failed sign-up was given back.
        assertThat(signUp(other, "").getUser().getUsername()).isEqualTo(other);
    }

    @Test
    void concurrentSignUpsForOneName_exactlyOneWins() throws Exception {
        final String name = uniqueName("race");
        final int contenders = 8;
        final CountDownLatch start = new CountDownLatch(1);
        final List<Future<Code>> outcomes = new ArrayList<>();
        try (ExecutorService executor = Executors.newFixedThreadPool(contenders)) {
            for (int i = 0; i < contenders; i++) {
                final int contender = i;
                outcomes.add(executor.submit(() -> {
                    start.await();
                    try {
                        anonymous().signUp(SignUpRequest.newBuilder().setUsername(name)
                                .setEmail(name + contender + "@example.com").setPassword(PASSWORD).build());
                        return Code.OK;
                    } catch (StatusRuntimeException e) {
                        return e.getStatus().getCode();
                    }
                }));
            }
            start.countDown();
            final Map<Code, Integer> counts = new HashMap<>();
            for (Future<Code> outcome : outcomes) {
                counts.merge(outcome.get(), 1, Integer::sum);
            }
            assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of(Code.OK, 1, Code.ALREADY_EXISTS, contenders - 1));
        }
    }

    @Test
    void anAbandonedClaim_isTakenOverByTheNextSignUp() throws Exception {
        // What a crash between claiming the name and writing the user leaves behind.
        final String name = uniqueName("abandoned");
        final int shard = NameClaims.shardOf(name, ShardMap.contiguous(16, 2));
        try (Connection connection = IdentityFixture.connect(shard / 8);
             PreparedStatement insert = connection.prepareStatement("INSERT INTO " + ShardMap.schemaOf(shard)
                     + ".name_claims (kind, name, user_id, claimed_at) VALUES ('username', ?, ?, now() - interval '2 minutes')")) {
            insert.setString(1, name);
            insert.setLong(2, PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 1000, 3, 1)); // no such user
            insert.executeUpdate();
        }
        assertThat(signUp(name, "").getUser().getUsername()).isEqualTo(name);
    }

    @Test
    void signUps_areRateLimitedPerClientAddress() {
        final String address = "2001:db8:" + Integer.toHexString(IdentityFixture.uniqueName("x").hashCode() & 0xffff) + "::1";
        for (int i = 0; i < 3; i++) {
            final String name = uniqueName("burst");
            anonymous().signUp(SignUpRequest.newBuilder().setUsername(name).setEmail(name + "@example.com")
                                            .setPassword(PASSWORD).setClientAddress(address).build());
        }
        final String name = uniqueName("burst");
        // Another host of the same IPv6 /64 shares the limit.
        final StatusRuntimeException error = assertFails(Code.RESOURCE_EXHAUSTED, () -> anonymous().signUp(
                SignUpRequest.newBuilder().setUsername(name).setEmail(name + "@example.com").setPassword(PASSWORD)
                             .setClientAddress(address.replace("::1", "::2")).build()));
        assertThat(retryDelaySeconds(error)).isPositive();
    }

    @Test
    void logIn_withTheRightPassword_opensANewSession_andNeverSaysWhichPartWasWrong() {
        final String name = uniqueName("login");
        final long id = signUp(name, "").getUser().getId();
        final var session = anonymous().logIn(LogInRequest.newBuilder().setUsername(name.toUpperCase()).setPassword(PASSWORD).build());
        assertThat(session.getUser().getId()).isEqualTo(id);
        assertThat(anonymous().authenticate(AuthenticateRequest.newBuilder().setToken(session.getToken()).build()).getUserId()).isEqualTo(id);

        final var wrongPassword = assertFails(Code.UNAUTHENTICATED, () -> anonymous().logIn(
                LogInRequest.newBuilder().setUsername(name).setPassword("wrong password").build()));
        final var unknownUser = assertFails(Code.UNAUTHENTICATED, () -> anonymous().logIn(
                LogInRequest.newBuilder().setUsername(uniqueName("nobody")).setPassword(PASSWORD).build()));
        assertThat(wrongPassword.getStatus().getDescription()).isEqualTo(unknownUser.getStatus().getDescription());
        assertFails(Code.INVALID_ARGUMENT, () -> anonymous().logIn(LogInRequest.getDefaultInstance()), "username", "password");
    }

    @Test
    void failedLogins_areLimitedPerUsername_evenWithTheRightPasswordAfterwards() {
        final String name = uniqueName("guessed");
        signUp(name, "");
        for (int i = 0; i < 3; i++) {
            assertFails(Code.UNAUTHENTICATED, () -> anonymous().logIn(LogInRequest.newBuilder().setUsername(name).setPassword("guess " + name).build()));
        }
        final StatusRuntimeException error = assertFails(Code.RESOURCE_EXHAUSTED,
                () -> anonymous().logIn(LogInRequest.newBuilder().setUsername(name).setPassword(PASSWORD).build()));
        assertThat(retryDelaySeconds(error)).isBetween(1L, 15L * 60);
    }

    @Test
    void failedLogins_areLimitedPerClientAddress_acrossUsernames() {
        final String address = "198.51.100." + (1 + Math.floorMod(uniqueName("ip").hashCode(), 250));
        for (int i = 0; i < 5; i++) {
            final String name = uniqueName("spray");
            assertFails(Code.UNAUTHENTICATED, () -> anonymous().logIn(LogInRequest.newBuilder().setUsername(name)
                    .setPassword(PASSWORD).setClientAddress(address).build()));
        }
        final String name = uniqueName("victim");
        signUp(name, "");
        assertFails(Code.RESOURCE_EXHAUSTED, () -> anonymous().logIn(LogInRequest.newBuilder().setUsername(name)
                .setPassword(PASSWORD).setClientAddress(address).build()));
        // The same user from elsewhere is not affected.
        assertThat(anonymous().logIn(LogInRequest.newBuilder().setUsername(name).setPassword(PASSWORD)
                .setClientAddress("203.0.113.7").build()).getToken()).isNotEmpty();
    }

    @Test
    void logIn_upgradesAHashMadeWithWeakerParameters(Devstack devstack) throws Exception {
        final String name = uniqueName("upgrade");
        final long id = signUp(name, "").getUser().getId();
        assertThat(storedHash(id)).startsWith("$argon2id$v=19$m=1024,t=1,p=1$");

        final Map<String, String> stronger = new HashMap<>(IdentityFixture.environment(devstack));
        stronger.put("PINHOLE_ARGON2_MEMORY_KIB", "2048");
        stronger.put("PINHOLE_ARGON2_ITERATIONS", "2");
        try (RunningService upgraded = RunningService.start(Main.newServer(Env.of(stronger)))) {
            upgraded.client(IdentityServiceBlockingStub.class).logIn(LogInRequest.newBuilder().setUsername(name).setPassword(PASSWORD).build());
        }
        assertThat(storedHash(id)).startsWith("$argon2id$v=19$m=2048,t=2,p=1$");
        // The upgraded hash still verifies, also for an instance with the old parameters (it reads them from the hash).
        assertThat(anonymous().logIn(LogInRequest.newBuilder().setUsername(name).setPassword(PASSWORD).build()).getUser().getId()).isEqualTo(id);
        assertThat(storedHash(id)).startsWith("$argon2id$v=19$m=2048,t=2,p=1$");
    }

    private static String storedHash(long userId) throws Exception {
        final int shard = PinholeIds.shard(userId);
        try (Connection connection = IdentityFixture.connect(shard / 8);
             PreparedStatement select = connection.prepareStatement("SELECT password_hash FROM " + ShardMap.schemaOf(shard) + ".users WHERE id = ?")) {
            select.setLong(1, userId);
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                return row.getString(1);
            }
        }
    }

    static long retryDelaySeconds(StatusRuntimeException error) {
        return StatusProto.fromThrowable(error).getDetailsList().stream().filter(any -> any.is(RetryInfo.class))
                .map(any -> {
                    try {
                        return any.unpack(RetryInfo.class).getRetryDelay().getSeconds();
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        throw new AssertionError(e);
                    }
                }).findFirst().orElseThrow(() -> new AssertionError("no RetryInfo"));
    }
}
