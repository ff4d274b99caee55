package io.pinhole.identity;

import static io.pinhole.identity.IdentityFixture.anonymous;
import static io.pinhole.identity.IdentityFixture.assertFails;
import static io.pinhole.identity.IdentityFixture.signUp;
import static io.pinhole.identity.IdentityFixture.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status.Code;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.identity.v1.AuthenticateRequest;
import io.pinhole.identity.v1.LogInRequest;
import io.pinhole.identity.v1.LogOutEverywhereRequest;
import io.pinhole.identity.v1.LogOutRequest;
import io.pinhole.identity.v1.SignUpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, IdentityFixture.class})
class SessionsTest {

    private static RedisClient redisClient;
    private static StatefulRedisConnection<String, String> redis;

    @BeforeAll
    static void connect(Devstack devstack) {
        redisClient = RedisClient.create(devstack.redis().uri());
        redis = redisClient.connect();
    }

    @AfterAll
    static void disconnect() {
        redis.close();
        redisClient.shutdown();
    }

    private static AuthenticateRequest token(String token) {
        return AuthenticateRequest.newBuilder().setToken(token).build();
    }

    @Test
    void redisHoldsOnlyAHashOfTheToken_andAuthenticateSlidesTheExpiry() {
        final SignUpResponse account = signUp(uniqueName("hashed"), "");
        final List<String> sessionKeys = redis.sync().scan(ScanArgs.Builder.matches("session:v1:*").limit(10_000)).getKeys();
        assertThat(sessionKeys).noneMatch(key -> key.contains(account.getToken()));
        for (String key : sessionKeys) {
            assertThat(redis.sync().get(key)).doesNotContain(account.getToken());
        }

        // Shorten the live session's expiry behind the service's back; Authenticate must move it 30 days ahead again.
        final String userIdText = Long.toString(account.getUser().getId());
        final String key = sessionKeys.stream().filter(k -> userIdText.equals(redis.sync().get(k))).findFirst().orElseThrow();
        redis.sync().pexpire(key, Duration.ofMinutes(1).toMillis());
        anonymous().authenticate(token(account.getToken()));
        assertThat(redis.sync().pttl(key)).isGreaterThan(Duration.ofDays(29).toMillis());
    }

    @Test
    void logOut_revokesOneSession_andIsIdempotent() {
        final String name = uniqueName("leaver");
        final SignUpResponse first = signUp(name, "");
        final String second = anonymous().logIn(LogInRequest.newBuilder().setUsername(name).setPassword("correct horse battery").build()).getToken();

        assertThat(anonymous().logOut(LogOutRequest.newBuilder().setToken(first.getToken()).build()).getRevoked()).isTrue();
        assertFails(Code.UNAUTHENTICATED, () -> anonymous().authenticate(token(first.getToken())));
        assertThat(anonymous().authenticate(token(second)).getUserId()).isEqualTo(first.getUser().getId());
        assertThat(anonymous().logOut(LogOutRequest.newBuilder().setToken(first.getToken()).build()).getRevoked()).isFalse();
        assertFails(Code.INVALID_ARGUMENT, () -> anonymous().logOut(LogOutRequest.getDefaultInstance()), "token");
    }

    @Test
    void logOutEverywhere_revokesEverySessionOfTheViewerOnly() {
        final String name = uniqueName("everywhere");
        final SignUpResponse account = signUp(name, "");
        final LogInRequest login = LogInRequest.newBuilder().setUsername(name).setPassword("correct horse battery").build();
        final String phone = anonymous().logIn(login).getToken();
        final String laptop = anonymous().logIn(login).getToken();
        final SignUpResponse bystander = signUp(uniqueName("bystander"), "");

        final var response = IdentityFixture.as(account.getUser().getId()).logOutEverywhere(LogOutEverywhereRequest.getDefaultInstance());

        assertThat(response.getRevokedSessions()).isEqualTo(3);
        for (String token : List.of(account.getToken(), phone, laptop)) {
            assertFails(Code.UNAUTHENTICATED, () -> anonymous().authenticate(token(token)));
        }
        assertThat(anonymous().authenticate(token(bystander.getToken())).getUserId()).isEqualTo(bystander.getUser().getId());
        assertThat(IdentityFixture.as(account.getUser().getId()).logOutEverywhere(LogOutEverywhereRequest.getDefaultInstance())
                                  .getRevokedSessions()).isZero();
        assertFails(Code.UNAUTHENTICATED, () -> anonymous().logOutEverywhere(LogOutEverywhereRequest.getDefaultInstance()));
    }

    @Test
    void authenticate_rejectsEmptyAndUnknownTokens() {
        assertFails(Code.UNAUTHENTICATED, () -> anonymous().authenticate(token("")));
        assertFails(Code.UNAUTHENTICATED, () -> anonymous().authenticate(token("x".repeat(43))));
    }
}
