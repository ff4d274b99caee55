package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pinhole.gateway.IdentityCalls.Call;
import io.pinhole.gateway.RealIdentity.Account;
import io.pinhole.identity.v1.ApproveFollowRequestRequest;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.identity.v1.GetRelationshipsRequest;
import io.pinhole.identity.v1.GetUsersByUsernameRequest;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.LogInRequest;
import io.pinhole.identity.v1.SignUpRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The identity part of the GraphQL API end to end: real HTTP to the gateway, real gRPC to the real svc-identity on
 * real PostgreSQL, Redis and memcached. Users are set up over gRPC; what is asserted goes through the gateway.
 */
class IdentityEndToEndTest extends RealIdentityTest {

    static final String SIGN_UP = """
            mutation SignUp($input: SignUpInput!) {
              signUp(input: $input) { token user { id username fullName } }
            }""";
    static final String LOG_IN = """
            mutation LogIn($username: String!, $password: String!) {
              logIn(input: {username: $username, password: $password}) { token user { id username } }
            }""";
    static final String FOLLOWERS_PAGE = """
            query Followers($username: String!, $first: Int, $after: String) {
              user(username: $username) {
                username
                followers(first: $first, after: $after) {
                  edges { cursor node { id username } }
                  pageInfo { hasNextPage endCursor }
                }
              }
            }""";

    /** Sign-ups through the gateway come from their own loopback address (127.0.1.n), each under its own limit. */
    static final AtomicInteger addresses = new AtomicInteger();

    // --- sign-up, log-in, log-out ---------------------------------------------------------------------------

    @Test
    void signUp_returnsATokenThatSignsTheViewerIn() {
        final String username = RealIdentity.uniqueName("grace");

        final JsonNode signUp = fromNewAddress().graphql(SIGN_UP, Map.of("input", signUpInput(
                username.toUpperCase(Locale.ROOT), username + "@example.com", RealIdentity.PASSWORD, "Grace Hopper")), null);

        assertNoErrors(signUp);
        final JsonNode payload = signUp.path("data").path("signUp");
        assertThat(payload.path("token").asText()).hasSizeGreaterThanOrEqualTo(22); // ≥ 128 random bits
        assertThat(payload.path("user").path("username").asText()).isEqualTo(username); // stored lower-case
        assertThat(payload.path("user").path("fullName").asText()).isEqualTo("Grace Hopper");

        final JsonNode viewer = gateway.graphql("{ viewer { id username } }", "Bearer " + payload.path("token").asText());

        assertNoErrors(viewer);
        assertThat(viewer.path("data").path("viewer").path("id").asText()).isEqualTo(payload.path("user").path("id").asText());
        assertThat(viewer.path("data").path("viewer").path("username").asText()).isEqualTo(username);
    }

    @Test
    void signUp_takenUsername_isConflict_namingTheField() {
        final Account taken = RealIdentity.newAccount("dup");

        final JsonNode response = fromNewAddress().graphql(SIGN_UP, Map.of("input", signUpInput(
                taken.username().toUpperCase(Locale.ROOT), "other-" + taken.username() + "@example.com",
                RealIdentity.PASSWORD, null)), null);

        final JsonNode error = response.path("errors").get(0);
        assertThat(code(error)).isEqualTo("CONFLICT");
        assertThat(fields(error)).containsExactly("username");
        assertThat(response.path("data").isNull()).isTrue(); // signUp is non-null: the whole data is null
    }

    @Test
    void signUp_badInput_isBadUserInput_namingEveryBadFieldAsTheSchemaSpellsIt() {
        final JsonNode response = fromNewAddress().graphql(SIGN_UP, Map.of("input", signUpInput(
                "no spaces allowed", "not-an-email", "short", "x".repeat(65))), null);

        final JsonNode error = response.path("errors").get(0);
        assertThat(code(error)).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(error)).containsExactlyInAnyOrder("username", "email", "password", "fullName");
    }

    @Test
    void signUp_isRateLimitedPerClientAddress_asTheGatewaySeesIt() throws UnknownHostException {
        final GatewayClient busy = new GatewayClient(port, InetAddress.getByName("127.0.0.2"));
        for (int i = 0; i < RealIdentity.SIGNUPS_PER_ADDRESS; i++) {
            assertNoErrors(signUpNew(busy, "busy"));
        }

        final JsonNode limited = signUpNew(busy, "busy");

        final JsonNode error = limited.path("errors").get(0);
        assertThat(code(error)).isEqualTo("RATE_LIMITED");
        assertThat(error.path("extensions").path("retryAfterSeconds").asLong()).isPositive();
        // Another address is not limited: the limit follows the client's address, not the gateway's.
        assertNoErrors(signUpNew(new GatewayClient(port, InetAddress.getByName("127.0.0.3")), "calm"));
    }

    @Test
    void signUp_sendsTheClientAddressToIdentity() throws UnknownHostException {
        final int mark = IdentityCalls.mark();

        signUpNew(new GatewayClient(port, InetAddress.getByName("127.0.0.4")), "addr");

        assertThat(((SignUpRequest) IdentityCalls.since(mark, "SignUp").get(0).request()).getClientAddress())
                .isEqualTo("127.0.0.4");
    }

    @Test
    void logIn_rightPassword_opensANewSession() {
        final Account lin = RealIdentity.newAccount("lin");
        final int mark = IdentityCalls.mark();

        final JsonNode response = gateway.graphql(LOG_IN, Map.of("username", lin.username().toUpperCase(Locale.ROOT),
                                                                 "password", RealIdentity.PASSWORD), null);

        assertNoErrors(response);
        final String token = response.path("data").path("logIn").path("token").asText();
        assertThat(token).isNotEmpty().isNotEqualTo(lin.token());
        assertThat(response.path("data").path("logIn").path("user").path("id").asText()).isEqualTo(lin.idString());
        assertThat(((LogInRequest) IdentityCalls.since(mark, "LogIn").get(0).request()).getClientAddress())
                .isEqualTo("127.0.0.1");
        assertThat(gateway.graphql("{ viewer { id } }", "Bearer " + token).path("data").path("viewer").path("id").asText())
                .isEqualTo(lin.idString());
    }

    @Test
    void logIn_wrongPassword_isUnauthenticated() {
        final Account lin = RealIdentity.newAccount("lin");

        final JsonNode response = gateway.graphql(LOG_IN, Map.of("username", lin.username(),
                                                                 "password", "not the password"), null);

        assertThat(response.path("data").isNull()).isTrue();
        final JsonNode error = response.path("errors").get(0);
        assertThat(code(error)).isEqualTo("UNAUTHENTICATED");
        assertThat(error.path("path").get(0).asText()).isEqualTo("logIn");
        assertThat(error.path("message").asText()).isEqualTo("wrong username or password");
    }

    @Test
    void logIn_tooManyFailures_isRateLimited_evenWithTheRightPassword() {
        final Account lin = RealIdentity.newAccount("lim");
        for (int i = 0; i < RealIdentity.LOGIN_FAILURES_PER_USERNAME; i++) {
            assertThat(code(gateway.graphql(LOG_IN, Map.of("username", lin.username(), "password", "wrong guess " + i),
                                            null).path("errors").get(0))).isEqualTo("UNAUTHENTICATED");
        }

        final JsonNode response = gateway.graphql(LOG_IN, Map.of("username", lin.username(),
                                                                 "password", RealIdentity.PASSWORD), null);

        final JsonNode error = response.path("errors").get(0);
        assertThat(code(error)).isEqualTo("RATE_LIMITED");
        assertThat(error.path("extensions").path("retryAfterSeconds").asLong()).isBetween(1L, 15 * 60L);
    }

    @Test
    void logOut_revokesTheRequestsToken_only() {
        final Account out = RealIdentity.newAccount("out");
        final String second = gateway.graphql(LOG_IN, Map.of("username", out.username(), "password", RealIdentity.PASSWORD),
                                              null).path("data").path("logIn").path("token").asText();

        final JsonNode logOut = gateway.graphql("mutation { logOut }", "Bearer " + second);

        assertNoErrors(logOut);
        assertThat(logOut.path("data").path("logOut").asBoolean()).isTrue();
        final JsonNode viewer = gateway.graphql("{ viewer { id } __typename }", "Bearer " + second);
        assertThat(viewer.path("data").path("viewer").isNull()).isTrue();
        assertThat(code(viewer.path("errors").get(0))).isEqualTo("UNAUTHENTICATED");
        // Logging out again is not an error, it just ends nothing; the account's other session lives on.
        final JsonNode again = gateway.graphql("mutation { logOut }", "Bearer " + second);
        assertNoErrors(again);
        assertThat(again.path("data").path("logOut").asBoolean()).isFalse();
        assertThat(gateway.graphql("{ viewer { id } }", out.bearer()).path("data").path("viewer").path("id").asText())
                .isEqualTo(out.idString());
    }

    @Test
    void logOut_withoutToken_isFalse_andWithAMalformedHeader_isUnauthenticated() {
        final int mark = IdentityCalls.mark();

        final JsonNode anonymous = gateway.graphql("mutation { logOut }");
        final JsonNode malformed = gateway.graphql("mutation { logOut }", "Basic YWRhOnB3");

        assertNoErrors(anonymous);
        assertThat(anonymous.path("data").path("logOut").asBoolean()).isFalse();
        assertThat(code(malformed.path("errors").get(0))).isEqualTo("UNAUTHENTICATED");
        assertThat(IdentityCalls.since(mark)).isEmpty();
    }

    // --- profiles -------------------------------------------------------------------------------------------

    @Test
    void updateProfile_changesOnlyTheFieldsGiven_andEmptyClears() {
        final Account me = RealIdentity.newAccount("prof");
        final String update = "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id fullName bio website isPrivate } }";

        final JsonNode first = gateway.graphql(update, Map.of("input", Map.of(
                "fullName", "Ada L", "bio", "hello", "website", "https://example.com/ada")), me.bearer());
        final JsonNode second = gateway.graphql(update, Map.of("input", Map.of("bio", "")), me.bearer());

        assertNoErrors(first);
        assertNoErrors(second);
        final JsonNode user = second.path("data").path("updateProfile");
        assertThat(user.path("id").asText()).isEqualTo(me.idString());
        assertThat(user.path("fullName").asText()).isEqualTo("Ada L");
        assertThat(user.path("bio").isNull()).isTrue();
        assertThat(user.path("website").asText()).isEqualTo("https://example.com/ada");
        assertThat(user.path("isPrivate").asBoolean()).isFalse();
    }

    @Test
    void updateProfile_badWebsite_isBadUserInput_andAnonymous_isUnauthenticated() {
        final Account me = RealIdentity.newAccount("prof");
        final String update = "mutation { updateProfile(input: {website: \"ftp://example.com\"}) { id } }";

        final JsonNode bad = gateway.graphql(update, me.bearer());
        final JsonNode anonymous = gateway.graphql(update);

        assertThat(code(bad.path("errors").get(0))).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(bad.path("errors").get(0))).containsExactly("website");
        assertThat(code(anonymous.path("errors").get(0))).isEqualTo("UNAUTHENTICATED");
    }

    @Test
    void user_byUsername_isCaseInsensitive_andUnknownIsNullWithoutError() {
        final Account ada = RealIdentity.newAccount("ada", "Ada");

        final JsonNode response = gateway.graphql("query($a: String!) { found: user(username: $a) { id username fullName }"
                                                  + " missing: user(username: \"nobody_at_all_here\") { id } }",
                                                  Map.of("a", ada.username().toUpperCase(Locale.ROOT)), null);

        assertNoErrors(response);
        assertThat(response.path("data").path("found").path("id").asText()).isEqualTo(ada.idString());
        assertThat(response.path("data").path("found").path("fullName").asText()).isEqualTo("Ada");
        assertThat(response.path("data").path("missing").isNull()).isTrue();
    }

    @Test
    void searchUsers_findsByUsernameAndFullNamePrefix() {
        final Account quentin = RealIdentity.newAccount("srch", "Quentin Zebulon");

        final JsonNode byName = gateway.graphql("query($q: String!) { searchUsers(query: $q) { id username } }",
                                                Map.of("q", quentin.username()), null);
        final JsonNode byFullName = gateway.graphql("{ searchUsers(query: \"zebul\", first: 5) { id } }");

        assertNoErrors(byName);
        assertThat(byName.path("data").path("searchUsers").get(0).path("id").asText()).isEqualTo(quentin.idString());
        assertNoErrors(byFullName);
        assertThat(ids(byFullName.path("data").path("searchUsers"))).contains(quentin.idString());
    }

    @Test
    void searchUsers_badArguments_areBadUserInput() {
        final JsonNode tooMany = gateway.graphql("{ searchUsers(query: \"ab\", first: 51) { id } }");
        final JsonNode empty = gateway.graphql("{ searchUsers(query: \"\") { id } }");

        assertThat(code(tooMany.path("errors").get(0))).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(tooMany.path("errors").get(0))).containsExactly("first");
        assertThat(code(empty.path("errors").get(0))).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(empty.path("errors").get(0))).containsExactly("query");
    }

    // --- the follow graph -----------------------------------------------------------------------------------

    @Test
    void follow_andUnfollow_showInCountsAndRelationsBothWays() {
        final Account fan = RealIdentity.newAccount("fan");
        final Account idol = RealIdentity.newAccount("idol");
        final String follow = "mutation($id: ID!) { follow(userId: $id) { id followerCount viewerFollows followsViewer } }";

        final JsonNode followed = gateway.graphql(follow, Map.of("id", idol.idString()), fan.bearer());
        final JsonNode twice = gateway.graphql(follow, Map.of("id", idol.idString()), fan.bearer());

        assertNoErrors(followed);
        assertThat(followed.path("data").path("follow").path("id").asText()).isEqualTo(idol.idString());
        assertThat(followed.path("data").path("follow").path("followerCount").asInt()).isEqualTo(1);
        assertThat(followed.path("data").path("follow").path("viewerFollows").asBoolean()).isTrue();
        assertThat(followed.path("data").path("follow").path("followsViewer").asBoolean()).isFalse();
        assertThat(twice.path("data").path("follow").path("followerCount").asInt()).isEqualTo(1); // idempotent

        final String relations = "query($u: String!) { user(username: $u) { followingCount viewerFollows followsViewer } }";
        final JsonNode seenByIdol = gateway.graphql(relations, Map.of("u", fan.username()), idol.bearer());
        assertNoErrors(seenByIdol);
        assertThat(seenByIdol.path("data").path("user").path("followingCount").asInt()).isEqualTo(1);
        assertThat(seenByIdol.path("data").path("user").path("viewerFollows").asBoolean()).isFalse();
        assertThat(seenByIdol.path("data").path("user").path("followsViewer").asBoolean()).isTrue();

        final JsonNode unfollowed = gateway.graphql(
                "mutation($id: ID!) { unfollow(userId: $id) { followerCount viewerFollows } }",
                Map.of("id", idol.idString()), fan.bearer());
        assertNoErrors(unfollowed);
        assertThat(unfollowed.path("data").path("unfollow").path("followerCount").asInt()).isZero();
        assertThat(unfollowed.path("data").path("unfollow").path("viewerFollows").asBoolean()).isFalse();
    }

    @Test
    void relations_areFalseForAnonymousRequestsAndForTheViewerThemself_withoutAsking() {
        final Account fan = RealIdentity.newAccount("fan");
        final Account idol = RealIdentity.newAccount("idol");
        RealIdentity.as(fan.id()).follow(FollowRequest.newBuilder().setUserId(idol.id()).build());
        final int mark = IdentityCalls.mark();

        final JsonNode anonymous = gateway.graphql("query($u: String!) { user(username: $u) { followerCount viewerFollows followsViewer } }",
                                                   Map.of("u", idol.username()), null);
        final JsonNode self = gateway.graphql("{ viewer { viewerFollows followsViewer } }", fan.bearer());

        assertNoErrors(anonymous);
        assertThat(anonymous.path("data").path("user").path("followerCount").asInt()).isEqualTo(1);
        assertThat(anonymous.path("data").path("user").path("viewerFollows").asBoolean()).isFalse();
        assertThat(anonymous.path("data").path("user").path("followsViewer").asBoolean()).isFalse();
        assertNoErrors(self);
        assertThat(self.path("data").path("viewer").path("viewerFollows").asBoolean()).isFalse();
        assertThat(self.path("data").path("viewer").path("followsViewer").asBoolean()).isFalse();
        assertThat(IdentityCalls.since(mark, "GetRelationships")).isEmpty();
    }

    @Test
    void followMutations_badTargets_mapToTheirCodes() {
        final Account me = RealIdentity.newAccount("me");
        final String follow = "mutation($id: ID!) { follow(userId: $id) { id } }";
        final long neverIssued = (5L << 23) | 3; // 5 ms after the Pinhole epoch: no user has it

        assertThat(code(gateway.graphql(follow, Map.of("id", me.idString()), me.bearer()).path("errors").get(0)))
                .isEqualTo("BAD_USER_INPUT"); // oneself
        assertThat(code(gateway.graphql(follow, Map.of("id", Long.toString(neverIssued)), me.bearer()).path("errors").get(0)))
                .isEqualTo("NOT_FOUND");
        assertThat(code(gateway.graphql(follow, Map.of("id", me.idString()), null).path("errors").get(0)))
                .isEqualTo("UNAUTHENTICATED");
    }

    @Test
    void malformedId_isBadUserInput_namingTheArgument_withoutCallingIdentity() {
        final Account me = RealIdentity.newAccount("me");
        final int mark = IdentityCalls.mark();

        for (String id : List.of("12abc", "-5", "0", "+7", " 7", "", "99999999999999999999", "1e3")) {
            for (String mutation : List.of("follow", "unfollow", "block", "unblock")) {
                final JsonNode response = gateway.graphql("mutation($id: ID!) { " + mutation + "(userId: $id) { id } }",
                                                          Map.of("id", id), me.bearer());

                final JsonNode error = response.path("errors").get(0);
                assertThat(code(error)).as("%s(%s)", mutation, id).isEqualTo("BAD_USER_INPUT");
                assertThat(fields(error)).as("%s(%s)", mutation, id).containsExactly("userId");
                assertThat(error.path("message").asText()).doesNotContain("Exception");
            }
        }
        assertThat(IdentityCalls.since(mark)).extracting(Call::method).containsOnly("Authenticate");
    }

    @Test
    void followers_pageWithAfter_mostRecentFirst_eachEdgeCarryingItsPagesCursor() {
        final Account star = RealIdentity.newAccount("star");
        final List<Account> fans = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            final Account fan = RealIdentity.newAccount("fan");
            RealIdentity.as(fan.id()).follow(FollowRequest.newBuilder().setUserId(star.id()).build());
            fans.add(fan);
        }

        final List<String> seen = new ArrayList<>();
        final List<Integer> pageSizes = new ArrayList<>();
        String after = null;
        JsonNode pageInfo;
        do {
            final Map<String, Object> variables = new HashMap<>(Map.of("username", star.username(), "first", 2));
            variables.put("after", after);
            final JsonNode response = gateway.graphql(FOLLOWERS_PAGE, variables, null);
            assertNoErrors(response);
            final JsonNode connection = response.path("data").path("user").path("followers");
            pageInfo = connection.path("pageInfo");
            final String endCursor = pageInfo.path("endCursor").isNull() ? "" : pageInfo.path("endCursor").asText();
            for (JsonNode edge : connection.path("edges")) {
                assertThat(edge.path("cursor").asText()).isEqualTo(endCursor);
                seen.add(edge.path("node").path("id").asText());
            }
            pageSizes.add(connection.path("edges").size());
            after = pageInfo.path("endCursor").asText(null);
            assertThat(pageSizes).hasSizeLessThan(10);
        } while (pageInfo.path("hasNextPage").asBoolean());

        assertThat(pageSizes).containsExactly(2, 2, 1);
        assertThat(pageInfo.path("endCursor").isNull()).isTrue();
        assertThat(seen).containsExactlyElementsOf(fans.reversed().stream().map(Account::idString).toList());
    }

    @Test
    void followers_firstAbove50_isBadUserInput_whileTheUserStillAnswers() {
        final Account star = RealIdentity.newAccount("star");

        final JsonNode response = gateway.graphql(FOLLOWERS_PAGE, Map.of("username", star.username(), "first", 51), null);

        assertThat(response.path("data").path("user").path("username").asText()).isEqualTo(star.username());
        assertThat(response.path("data").path("user").path("followers").isNull()).isTrue();
        final JsonNode error = response.path("errors").get(0);
        assertThat(code(error)).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(error)).containsExactly("first");
    }

    @Test
    void followers_tamperedCursor_isBadUserInput_namingAfter() {
        final Account star = RealIdentity.newAccount("star");

        final JsonNode response = gateway.graphql(FOLLOWERS_PAGE, Map.of("username", star.username(), "first", 2,
                                                                         "after", "not-a-cursor-identity-issued"), null);

        final JsonNode error = response.path("errors").get(0);
        assertThat(code(error)).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(error)).containsExactly("after");
    }

    @Test
    void privateAccount_followersAreForbidden_untilTheViewerIsAnApprovedFollower() {
        final Account owner = RealIdentity.newAccount("priv");
        final Account visitor = RealIdentity.newAccount("visit");
        final JsonNode madePrivate = gateway.graphql("mutation { updateProfile(input: {isPrivate: true}) { isPrivate } }",
                                                     owner.bearer());
        assertNoErrors(madePrivate);
        assertThat(madePrivate.path("data").path("updateProfile").path("isPrivate").asBoolean()).isTrue();

        final JsonNode forbidden = gateway.graphql(FOLLOWERS_PAGE, Map.of("username", owner.username()), visitor.bearer());

        assertThat(forbidden.path("data").path("user").path("username").asText()).isEqualTo(owner.username());
        assertThat(forbidden.path("data").path("user").path("followers").isNull()).isTrue();
        final JsonNode error = forbidden.path("errors").get(0);
        assertThat(code(error)).isEqualTo("FORBIDDEN");
        assertThat(error.path("path").toString()).isEqualTo("[\"user\",\"followers\"]");

        // Following a private account is a request: nothing changes until the owner approves it.
        final JsonNode requested = gateway.graphql("mutation($id: ID!) { follow(userId: $id) { followerCount viewerFollows } }",
                                                   Map.of("id", owner.idString()), visitor.bearer());
        assertNoErrors(requested);
        assertThat(requested.path("data").path("follow").path("viewerFollows").asBoolean()).isFalse();
        assertThat(requested.path("data").path("follow").path("followerCount").asInt()).isZero();
        RealIdentity.as(owner.id()).approveFollowRequest(
                ApproveFollowRequestRequest.newBuilder().setUserId(visitor.id()).build());

        final JsonNode allowed = gateway.graphql(FOLLOWERS_PAGE, Map.of("username", owner.username()), visitor.bearer());
        assertNoErrors(allowed);
        assertThat(ids(allowed.path("data").path("user").path("followers").path("edges"), "node"))
                .containsExactly(visitor.idString());
        assertThat(code(gateway.graphql(FOLLOWERS_PAGE, Map.of("username", owner.username()), null)
                                .path("errors").get(0))).isEqualTo("FORBIDDEN");
    }

    @Test
    void block_hidesTheBlockerFromTheBlocked_endsFollows_andUnblockShowsThemAgain() {
        final Account blocker = RealIdentity.newAccount("blk");
        final Account blocked = RealIdentity.newAccount("pest");
        RealIdentity.as(blocked.id()).follow(FollowRequest.newBuilder().setUserId(blocker.id()).build());
        final String lookUp = "query($u: String!) { user(username: $u) { id } searchUsers(query: $u) { id } }";
        assertThat(gateway.graphql(lookUp, Map.of("u", blocker.username()), blocked.bearer())
                          .path("data").path("user").path("id").asText()).isEqualTo(blocker.idString());

        final JsonNode block = gateway.graphql("mutation($id: ID!) { block(userId: $id) { id username } }",
                                               Map.of("id", blocked.idString()), blocker.bearer());

        assertNoErrors(block);
        assertThat(block.path("data").path("block").path("username").asText()).isEqualTo(blocked.username());
        final JsonNode hidden = gateway.graphql(lookUp, Map.of("u", blocker.username()), blocked.bearer());
        assertNoErrors(hidden);
        assertThat(hidden.path("data").path("user").isNull()).isTrue();
        assertThat(ids(hidden.path("data").path("searchUsers"))).doesNotContain(blocker.idString());
        assertThat(code(gateway.graphql("mutation($id: ID!) { follow(userId: $id) { id } }",
                                        Map.of("id", blocker.idString()), blocked.bearer()).path("errors").get(0)))
                .isEqualTo("NOT_FOUND");
        final JsonNode seenByBlocker = gateway.graphql(
                "query($u: String!) { user(username: $u) { followingCount followsViewer } viewer { followerCount } }",
                Map.of("u", blocked.username()), blocker.bearer());
        assertThat(seenByBlocker.path("data").path("user").path("followsViewer").asBoolean()).isFalse();
        assertThat(seenByBlocker.path("data").path("user").path("followingCount").asInt()).isZero();
        assertThat(seenByBlocker.path("data").path("viewer").path("followerCount").asInt()).isZero();

        final JsonNode unblock = gateway.graphql("mutation($id: ID!) { unblock(userId: $id) { id } }",
                                                 Map.of("id", blocked.idString()), blocker.bearer());

        assertNoErrors(unblock);
        assertThat(gateway.graphql(lookUp, Map.of("u", blocker.username()), blocked.bearer())
                          .path("data").path("user").path("id").asText()).isEqualTo(blocker.idString());
    }

    // --- batching -------------------------------------------------------------------------------------------

    @Test
    void fiveFollowersWithTheirRelations_makeOneGetUsersAndOneGetRelationshipsCall() {
        final Account star = RealIdentity.newAccount("bstar");
        final Account viewer = RealIdentity.newAccount("bview");
        final List<Account> fans = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            final Account fan = RealIdentity.newAccount("bfan");
            RealIdentity.as(fan.id()).follow(FollowRequest.newBuilder().setUserId(star.id()).build());
            fans.add(fan);
        }
        RealIdentity.as(viewer.id()).follow(FollowRequest.newBuilder().setUserId(fans.get(0).id()).build());
        RealIdentity.as(viewer.id()).follow(FollowRequest.newBuilder().setUserId(fans.get(2).id()).build());
        RealIdentity.as(fans.get(1).id()).follow(FollowRequest.newBuilder().setUserId(viewer.id()).build());
        final int mark = IdentityCalls.mark();

        final JsonNode response = gateway.graphql("""
                query($u: String!) {
                  user(username: $u) {
                    followers(first: 5) { edges { node { id username viewerFollows followsViewer } } }
                  }
                }""", Map.of("u", star.username()), viewer.bearer());

        assertNoErrors(response);
        final List<Call> calls = IdentityCalls.since(mark);
        assertThat(calls).extracting(Call::method)
                         .containsExactly("Authenticate", "GetUsersByUsername", "ListFollowers", "GetUsers",
                                          "GetRelationships");
        final List<Long> fanIds = fans.stream().map(Account::id).toList();
        assertThat(((GetUsersRequest) calls.get(3).request()).getUserIdsList()).containsExactlyInAnyOrderElementsOf(fanIds);
        assertThat(((GetRelationshipsRequest) calls.get(4).request()).getUserIdsList())
                .containsExactlyInAnyOrderElementsOf(fanIds);
        assertThat(calls.subList(1, calls.size())).extracting(Call::viewer).containsOnly(viewer.idString());

        final Map<String, JsonNode> nodes = new HashMap<>();
        response.path("data").path("user").path("followers").path("edges")
                .forEach(edge -> nodes.put(edge.path("node").path("id").asText(), edge.path("node")));
        assertThat(nodes).hasSize(5);
        for (int i = 0; i < 5; i++) {
            final JsonNode node = nodes.get(fans.get(i).idString());
            assertThat(node.path("username").asText()).isEqualTo(fans.get(i).username());
            assertThat(node.path("viewerFollows").asBoolean()).as("viewer follows fan %d", i).isEqualTo(i == 0 || i == 2);
            assertThat(node.path("followsViewer").asBoolean()).as("fan %d follows viewer", i).isEqualTo(i == 1);
        }
    }

    @Test
    void severalUsersAndConnectionsAtOneLevel_shareOneCallPerEntityType() {
        final Account alice = RealIdentity.newAccount("alice");
        final Account bob = RealIdentity.newAccount("bob");
        final Account carol = RealIdentity.newAccount("carol");
        RealIdentity.as(bob.id()).follow(FollowRequest.newBuilder().setUserId(alice.id()).build());
        RealIdentity.as(carol.id()).follow(FollowRequest.newBuilder().setUserId(alice.id()).build());
        RealIdentity.as(alice.id()).follow(FollowRequest.newBuilder().setUserId(carol.id()).build());
        final int mark = IdentityCalls.mark();

        final JsonNode response = gateway.graphql("""
                query($a: String!, $b: String!) {
                  a: user(username: $a) {
                    followers { edges { node { id viewerFollows } } }
                    following { edges { node { id viewerFollows } } }
                  }
                  b: user(username: $b) { following { edges { node { id viewerFollows } } } }
                }""", Map.of("a", alice.username(), "b", bob.username()), bob.bearer());

        assertNoErrors(response);
        final List<Call> calls = IdentityCalls.since(mark);
        assertThat(calls).extracting(Call::method).containsExactlyInAnyOrder(
                "Authenticate", "GetUsersByUsername", "ListFollowers", "ListFollowing", "ListFollowing", "GetUsers",
                "GetRelationships");
        assertThat(((GetUsersByUsernameRequest) IdentityCalls.since(mark, "GetUsersByUsername").get(0).request())
                           .getUsernamesList()).containsExactlyInAnyOrder(alice.username(), bob.username());
        // The nodes are alice's followers (bob, carol), alice's following (carol) and bob's following (alice): one
        // GetUsers, each ID once.
        assertThat(((GetUsersRequest) IdentityCalls.since(mark, "GetUsers").get(0).request()).getUserIdsList())
                .containsExactlyInAnyOrder(bob.id(), carol.id(), alice.id());
        // Relationships: bob is the viewer (no question to ask), carol and alice in one GetRelationships.
        assertThat(((GetRelationshipsRequest) IdentityCalls.since(mark, "GetRelationships").get(0).request())
                           .getUserIdsList()).containsExactlyInAnyOrder(carol.id(), alice.id());
        assertThat(ids(response.path("data").path("a").path("followers").path("edges"), "node"))
                .containsExactly(carol.idString(), bob.idString());
        assertThat(ids(response.path("data").path("b").path("following").path("edges"), "node"))
                .containsExactly(alice.idString());
        assertThat(response.path("data").path("b").path("following").path("edges").get(0)
                           .path("node").path("viewerFollows").asBoolean()).isTrue();
    }

    // --- helpers --------------------------------------------------------------------------------------------

    GatewayClient fromNewAddress() {
        try {
            return new GatewayClient(port, InetAddress.getByName("127.0.1." + addresses.incrementAndGet()));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode signUpNew(GatewayClient client, String prefix) {
        final String username = RealIdentity.uniqueName(prefix);
        return client.graphql(SIGN_UP, Map.of("input", signUpInput(username, username + "@example.com",
                                                                   RealIdentity.PASSWORD, null)), null);
    }

    static Map<String, Object> signUpInput(String username, String email, String password, String fullName) {
        final Map<String, Object> input = new HashMap<>();
        input.put("username", username);
        input.put("email", email);
        input.put("password", password);
        if (fullName != null) {
            input.put("fullName", fullName);
        }
        return input;
    }

    static void assertNoErrors(JsonNode response) {
        assertThat(response.has("errors")).as(response.toString()).isFalse();
    }

    static String code(JsonNode error) {
        return error.path("extensions").path("code").asText();
    }

    static List<String> fields(JsonNode error) {
        return StreamSupport.stream(error.path("extensions").path("fields").spliterator(), false)
                            .map(field -> field.path("field").asText()).toList();
    }

    static List<String> ids(JsonNode users) {
        return StreamSupport.stream(users.spliterator(), false).map(user -> user.path("id").asText()).toList();
    }

    static List<String> ids(JsonNode edges, String node) {
        return StreamSupport.stream(edges.spliterator(), false).map(edge -> edge.path(node).path("id").asText()).toList();
    }
}
