package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@code viewer} and authentication, through real HTTP and real gRPC to a stand-in svc-identity. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ViewerTest {

    static FakeIdentity identity;

    @DynamicPropertySource
    static void identity(DynamicPropertyRegistry registry) {
        identity = FakeIdentity.start();
        registry.add("PINHOLE_IDENTITY_ADDRESS", identity::address);
    }

    @AfterAll
    static void stopIdentity() {
        identity.close();
    }

    @LocalServerPort
    int port;

    GatewayClient gateway;

    @BeforeEach
    void setUp() {
        gateway = new GatewayClient(port);
    }

    @Test
    void validToken_viewerIsTheUser() {
        final JsonNode response = gateway.graphql(
                "{ viewer { id username fullName bio website avatarUrl isPrivate followerCount followingCount mediaCount } }",
                "Bearer " + FakeIdentity.ADA_TOKEN);

        assertThat(response.has("errors")).as(response.toString()).isFalse();
        final JsonNode viewer = response.path("data").path("viewer");
        assertThat(viewer.path("id").asText()).isEqualTo(Long.toString(FakeIdentity.ADA_ID));
        assertThat(viewer.path("username").asText()).isEqualTo("ada");
        assertThat(viewer.path("fullName").asText()).isEqualTo("Ada Lovelace");
        assertThat(viewer.path("bio").asText()).isEqualTo("Analyst of engines");
        assertThat(viewer.path("website").isNull()).isTrue();
        assertThat(viewer.path("avatarUrl").isNull()).isTrue();
        assertThat(viewer.path("isPrivate").asBoolean()).isFalse();
        assertThat(viewer.path("followerCount").asInt()).isEqualTo(1843);
        assertThat(viewer.path("followingCount").asInt()).isEqualTo(12);
        assertThat(viewer.path("mediaCount").asInt()).isEqualTo(7);
    }

    @Test
    void bearerScheme_isCaseInsensitive() {
        final JsonNode response = gateway.graphql("{ viewer { username } }", "bearer " + FakeIdentity.ADA_TOKEN);

        assertThat(response.path("data").path("viewer").path("username").asText()).isEqualTo("ada");
    }

    @Test
    void noToken_viewerIsNull_withoutErrorOrCallToIdentity() {
        final int calls = identity.authenticateCalls.get();

        final JsonNode response = gateway.graphql("{ viewer { id } }");

        assertThat(response.path("data").path("viewer").isNull()).isTrue();
        assertThat(response.has("errors")).isFalse();
        assertThat(identity.authenticateCalls.get()).isEqualTo(calls);
    }

    @Test
    void unknownToken_isUnauthenticated_andTheRestStillAnswers() {
        final JsonNode response = gateway.graphql("{ viewer { id } __typename }", "Bearer expired-or-made-up");

        assertThat(response.path("data").path("viewer").isNull()).isTrue();
        assertThat(response.path("data").path("__typename").asText()).isEqualTo("Query");
        final JsonNode error = response.path("errors").get(0);
        assertThat(error.path("extensions").path("code").asText()).isEqualTo("UNAUTHENTICATED");
        assertThat(error.path("path").get(0).asText()).isEqualTo("viewer");
    }

    @Test
    void malformedAuthorization_isUnauthenticated_withoutCallingIdentity() {
        final int calls = identity.authenticateCalls.get();

        for (String header : List.of("Basic YWRhOnB3", "Bearer", "Bearer    ", FakeIdentity.ADA_TOKEN)) {
            final JsonNode response = gateway.graphql("{ viewer { id } }", header);

            assertThat(response.path("data").path("viewer").isNull()).as(header).isTrue();
            assertThat(response.path("errors").get(0).path("extensions").path("code").asText())
                    .as(header).isEqualTo("UNAUTHENTICATED");
        }
        assertThat(identity.authenticateCalls.get()).isEqualTo(calls);
    }

    @Test
    void viewerSelectedTwice_makesOneAuthenticateAndOneGetUsersCall() {
        final int authenticateCalls = identity.authenticateCalls.get();
        final int getUsersCalls = identity.getUsersRequests.size();

        final JsonNode response = gateway.graphql("{ a: viewer { id } b: viewer { username } }",
                                                  "Bearer " + FakeIdentity.ADA_TOKEN);

        assertThat(response.path("data").path("a").path("id").asText()).isEqualTo(Long.toString(FakeIdentity.ADA_ID));
        assertThat(response.path("data").path("b").path("username").asText()).isEqualTo("ada");
        assertThat(identity.authenticateCalls.get()).isEqualTo(authenticateCalls + 1);
        assertThat(identity.getUsersRequests).hasSize(getUsersCalls + 1);
        assertThat(identity.getUsersRequests.get(getUsersCalls)).containsExactly(FakeIdentity.ADA_ID);
    }

    @Test
    void getUsers_isCalledAsTheViewer() {
        gateway.graphql("{ viewer { id } }", "Bearer " + FakeIdentity.ADA_TOKEN);

        assertThat(identity.getUsersViewers.get(identity.getUsersViewers.size() - 1))
                .isEqualTo(Long.toString(FakeIdentity.ADA_ID));
    }

    @Test
    void pendingUserField_isUnavailable_whileTheRestOfTheUserAnswers() {
        final JsonNode response = gateway.graphql("{ viewer { username viewerFollows } }",
                                                  "Bearer " + FakeIdentity.ADA_TOKEN);

        assertThat(response.path("data").path("viewer").path("username").asText()).isEqualTo("ada");
        assertThat(response.path("data").path("viewer").path("viewerFollows").isNull()).isTrue();
        final JsonNode error = response.path("errors").get(0);
        assertThat(error.path("extensions").path("code").asText()).isEqualTo("UNAVAILABLE");
        assertThat(error.path("message").asText())
                .isEqualTo("not available yet: User.viewerFollows lands with issue 4");
    }
}
