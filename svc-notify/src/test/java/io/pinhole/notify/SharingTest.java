package io.pinhole.notify;

import static io.pinhole.notify.NotifyFixture.notifier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.notify.v1.ConnectSharingAccountRequest;
import io.pinhole.notify.v1.DisconnectSharingAccountRequest;
import io.pinhole.notify.v1.ListSharingAccountsRequest;
import io.pinhole.notify.v1.SharingAccount;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.shard.ShardMap;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, NotifyFixture.class})
class SharingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Per access token: how many more requests the provider answers 503 ("outage"). */
    private static final Map<String, AtomicInteger> outage = new ConcurrentHashMap<>();

    @BeforeAll
    static void provider() {
        NotifyFixture.provider.respond = request -> {
            final AtomicInteger left = outage.get(request.header("Authorization"));
            return left != null && left.getAndDecrement() > 0 ? new Receiver.Answer(503, "")
                                                              : new Receiver.Answer(201, "{}");
        };
    }

    private static String connect(long user) {
        final String token = "access-token-" + user;
        notifier(user).connectSharingAccount(ConnectSharingAccountRequest.newBuilder().setProvider("TestNet")
                .setAccessToken(token).setDisplayName("Me at TestNet").build());
        return token;
    }

    private static long shared(long user, String caption) {
        return NotifyFixture.post(user, UploadHeader.newBuilder().setCaption(caption)
                .addShareTo(NotifyFixture.PROVIDER).build()).getId();
    }

    @Test
    void connect_unknownProviderOrEmptyToken_isInvalidArgument() {
        final long user = NotifyFixture.newUser(NotifyFixture.username("share"));
        for (ConnectSharingAccountRequest request : new ConnectSharingAccountRequest[] {
                ConnectSharingAccountRequest.newBuilder().setProvider("myspace").setAccessToken("t").build(),
                ConnectSharingAccountRequest.newBuilder().setProvider(NotifyFixture.PROVIDER).build()}) {
            assertThat(catchThrowableOfType(StatusRuntimeException.class,
                    () -> notifier(user).connectSharingAccount(request)).getStatus().getCode())
                    .isEqualTo(Status.Code.INVALID_ARGUMENT);
        }
    }

    @Test
    void connect_storesTheTokenEncrypted_listsWithoutIt_andReplacesThePreviousAccount(Devstack devstack) throws Exception {
        final long user = NotifyFixture.newUser(NotifyFixture.username("share"));
        connect(user);
        final String token = connect(user);

        final var accounts = notifier(user).listSharingAccounts(ListSharingAccountsRequest.getDefaultInstance())
                .getAccountsList();
        assertThat(accounts).extracting(SharingAccount::getProvider, SharingAccount::getDisplayName)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(NotifyFixture.PROVIDER, "Me at TestNet"));
        final int shard = PinholeIds.shard(user);
        try (Connection connection = devstack.postgres().server(shard < 8 ? 0 : 1).connect(PinholeService.NOTIFY.databaseName());
             PreparedStatement select = connection.prepareStatement(
                     "SELECT token FROM " + ShardMap.schemaOf(shard) + ".sharing_accounts WHERE user_id = ?")) {
            select.setLong(1, user);
            try (ResultSet rows = select.executeQuery()) {
                assertThat(rows.next()).isTrue();
                assertThat(new String(rows.getBytes(1), StandardCharsets.ISO_8859_1)).doesNotContain(token);
            }
        }
    }

    @Test
    void aPostMarkedForSharing_reachesTheProvider_withTheAccountsToken() throws Exception {
        final long user = NotifyFixture.newUser(NotifyFixture.username("share"));
        final String token = connect(user);
        final long media = shared(user, "sharing this");

        await().atMost(Duration.ofSeconds(20)).until(() -> NotifyFixture.provider.posts("/share").stream()
                .anyMatch(r -> ("Bearer " + token).equals(r.header("Authorization"))));
        final Receiver.Request request = NotifyFixture.provider.posts("/share").stream()
                .filter(r -> ("Bearer " + token).equals(r.header("Authorization"))).findFirst().orElseThrow();
        final JsonNode body = JSON.readTree(request.body());
        assertThat(body.get("media_id").asText()).isEqualTo(Long.toString(media));
        assertThat(body.get("caption").asText()).isEqualTo("sharing this");
        assertThat(body.get("image_url").asText()).startsWith("http");
        assertThat(request.header("Idempotency-Key")).isNotBlank();
    }

    @Test
    void aProviderOutage_delaysTheShare_butLosesNothing() {
        final long user = NotifyFixture.newUser(NotifyFixture.username("share"));
        final String token = connect(user);
        outage.put("Bearer " + token, new AtomicInteger(4));
        final long first = shared(user, "during the outage 1");
        final long second = shared(user, "during the outage 2");

        await().atMost(Duration.ofSeconds(30)).until(() -> outage.get("Bearer " + token).get() < 0
                && accepted(token, first) == 1 && accepted(token, second) == 1);
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
               .until(() -> accepted(token, first) == 1 && accepted(token, second) == 1);
    }

    /** Requests for the media after the outage ended (answered 201). */
    private static long accepted(String token, long media) {
        return NotifyFixture.provider.posts("/share").stream()
                .filter(r -> ("Bearer " + token).equals(r.header("Authorization")))
                .filter(r -> r.text().contains("\"" + media + "\""))
                .count() - failedFor(token, media);
    }

    private static long failedFor(String token, long media) {
        // The first 4 requests of this token were refused; count how many of those were for this media.
        return NotifyFixture.provider.posts("/share").stream()
                .filter(r -> ("Bearer " + token).equals(r.header("Authorization"))).limit(4)
                .filter(r -> r.text().contains("\"" + media + "\"")).count();
    }

    @Test
    void disconnect_isIdempotent_andForgetsTheAccount() {
        final long user = NotifyFixture.newUser(NotifyFixture.username("share"));
        final String token = connect(user);
        final DisconnectSharingAccountRequest disconnect = DisconnectSharingAccountRequest.newBuilder()
                .setProvider("testnet").build();
        assertThat(notifier(user).disconnectSharingAccount(disconnect).getDisconnected()).isTrue();
        assertThat(notifier(user).disconnectSharingAccount(disconnect).getDisconnected()).isFalse();
        assertThat(notifier(user).listSharingAccounts(ListSharingAccountsRequest.getDefaultInstance())
                .getAccountsList()).isEmpty();
        assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> notifier(user).disconnectSharingAccount(
                DisconnectSharingAccountRequest.getDefaultInstance())).getStatus().getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        // Found by MalformedProtobufTest: a NUL reached PostgreSQL ("invalid byte sequence") and came back INTERNAL.
        assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> notifier(user).disconnectSharingAccount(
                DisconnectSharingAccountRequest.newBuilder().setProvider("test\u0000net").build())).getStatus().getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(NotifyFixture.provider.posts("/share")).noneMatch(r -> ("Bearer " + token).equals(r.header("Authorization")));
    }
}
