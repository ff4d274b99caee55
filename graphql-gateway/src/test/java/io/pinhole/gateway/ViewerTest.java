package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pinhole.gateway.RealIdentity.Account;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.UpdateProfileRequest;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code viewer} and authentication, through real HTTP and real gRPC to the real svc-identity. */
class ViewerTest extends RealIdentityTest {

    static Account ada;

    @BeforeAll
    static void ada() {
        ada = RealIdentity.newAccount("ada", "Ada Lovelace");
        RealIdentity.as(ada.id()).updateProfile(UpdateProfileRequest.newBuilder().setBio("Analyst of engines").build());
    }

    @Test
    void validToken_viewerIsTheUser() {
        final JsonNode response = gateway.graphql(
                "{ viewer { id username fullName bio website avatarUrl isPrivate followerCount followingCount mediaCount } }",
                ada.bearer());

        assertThat(response.has("errors")).as(response.toString()).isFalse();
        final JsonNode viewer = response.path("data").path("viewer");
        // Real IDs are far beyond 2^53: they must travel as exact decimal strings.
        assertThat(ada.id()).isGreaterThan(1L << 53);
        assertThat(viewer.path("id").asText()).isEqualTo(ada.idString());
        assertThat(viewer.path("username").asText()).isEqualTo(ada.username());
        assertThat(viewer.path("fullName").asText()).isEqualTo("Ada Lovelace");
        assertThat(viewer.path("bio").asText()).isEqualTo("Analyst of engines");
        assertThat(viewer.path("website").isNull()).isTrue();
        assertThat(viewer.path("avatarUrl").isNull()).isTrue();
        assertThat(viewer.path("isPrivate").asBoolean()).isFalse();
        assertThat(viewer.path("followerCount").asInt()).isZero();
        assertThat(viewer.path("followingCount").asInt()).isZero();
        assertThat(viewer.path("mediaCount").asInt()).isZero();
    }

    @Test
    void bearerScheme_isCaseInsensitive() {
        final JsonNode response = gateway.graphql("{ viewer { username } }", "bearer " + ada.token());

        assertThat(response.path("data").path("viewer").path("username").asText()).isEqualTo(ada.username());
    }

    @Test
    void noToken_viewerIsNull_withoutErrorOrCallToIdentity() {
        final int mark = IdentityCalls.mark();

        final JsonNode response = gateway.graphql("{ viewer { id } }");

        assertThat(response.path("data").path("viewer").isNull()).isTrue();
        assertThat(response.has("errors")).isFalse();
        assertThat(IdentityCalls.since(mark)).isEmpty();
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
        final int mark = IdentityCalls.mark();

        for (String header : List.of("Basic YWRhOnB3", "Bearer", "Bearer    ", ada.token())) {
            final JsonNode response = gateway.graphql("{ viewer { id } }", header);

            assertThat(response.path("data").path("viewer").isNull()).as(header).isTrue();
            assertThat(response.path("errors").get(0).path("extensions").path("code").asText())
                    .as(header).isEqualTo("UNAUTHENTICATED");
        }
        assertThat(IdentityCalls.since(mark)).isEmpty();
    }

    @Test
    void viewerSelectedTwice_makesOneAuthenticateAndOneGetUsersCall() {
        final int mark = IdentityCalls.mark();

        final JsonNode response = gateway.graphql("{ a: viewer { id } b: viewer { username } }", ada.bearer());

        assertThat(response.path("data").path("a").path("id").asText()).isEqualTo(ada.idString());
        assertThat(response.path("data").path("b").path("username").asText()).isEqualTo(ada.username());
        assertThat(IdentityCalls.since(mark)).extracting(IdentityCalls.Call::method)
                                            .containsExactly("Authenticate", "GetUsers");
        assertThat(((GetUsersRequest) IdentityCalls.since(mark, "GetUsers").get(0).request()).getUserIdsList())
                .containsExactly(ada.id());
    }

    @Test
    void getUsers_isCalledAsTheViewer_andAuthenticateAsNobody() {
        final int mark = IdentityCalls.mark();

        gateway.graphql("{ viewer { id } }", ada.bearer());

        assertThat(IdentityCalls.since(mark, "Authenticate").get(0).viewer()).isEmpty();
        assertThat(IdentityCalls.since(mark, "GetUsers").get(0).viewer()).isEqualTo(ada.idString());
    }

    @Test
    void viewerMedia_ofAUserWhoPostedNothing_isAnEmptyPage() {
        final JsonNode response = gateway.graphql(
                "{ viewer { username media { edges { cursor } pageInfo { hasNextPage endCursor } } } }", ada.bearer());

        assertThat(response.has("errors")).as(response.toString()).isFalse();
        final JsonNode media = response.path("data").path("viewer").path("media");
        assertThat(media.path("edges")).isEmpty();
        assertThat(media.path("pageInfo").path("hasNextPage").asBoolean()).isFalse();
        assertThat(media.path("pageInfo").path("endCursor").isNull()).isTrue();
    }
}
