package io.pinhole.gateway;

import static io.pinhole.gateway.MediaEndToEndTest.assertNoErrors;
import static io.pinhole.gateway.MediaEndToEndTest.code;
import static io.pinhole.gateway.MediaEndToEndTest.fields;
import static io.pinhole.gateway.MediaEndToEndTest.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pinhole.geo.v1.GetMediaPlacesRequest;
import io.pinhole.media.v1.GetMediaRequest;
import java.awt.Color;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Issue 9's "done means", as one story told only through the gateway's HTTP endpoint, against the whole stack:
 * devstack's PostgreSQL ×2, Redis, memcached, Solr and S3 under the real svc-identity, svc-media, svc-feed, svc-geo
 * and svc-notify ({@link RealIdentity}, {@link RealStack}); the only stand-in is FCM ({@link LocalFcm}), a remote
 * third party. Two people sign up, one follows the other, who posts a photo with a place; the photo travels through
 * the follower's feed (renditions downloaded), likes, comments and a push to the owner's registered device, activity,
 * nearby, the place typeahead, popular, the tag page and the profile grid; then unfollow, delete and log out. Each
 * error code a caller can provoke is provoked where it arises in the story. Asynchronous effects (fan-out, indexing,
 * rankings, pushes) are awaited, never slept on.
 *
 * <p>The finer cases of each part live in {@link IdentityEndToEndTest}, {@link MediaEndToEndTest} and
 * {@link GeoAndDevicesEndToEndTest}; this test is about the parts working together.
 */
class WholeFlowEndToEndTest extends RealIdentityTest {

    static final String SIGN_UP = """
            mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token user { id username fullName } } }""";
    static final String LOG_IN = """
            mutation LogIn($username: String!, $password: String!) {
              logIn(input: {username: $username, password: $password}) { token user { id username } }
            }""";
    static final String FOLLOW = """
            mutation Follow($id: ID!) { follow(userId: $id) { id username followerCount viewerFollows } }""";
    static final String UNFOLLOW = """
            mutation Unfollow($id: ID!) { unfollow(userId: $id) { id followerCount viewerFollows } }""";
    static final String REGISTER_DEVICE = """
            mutation Register($input: RegisterDeviceInput!) { registerDevice(input: $input) }""";
    static final String UPLOAD = """
            mutation Upload($file: Upload!, $caption: String, $location: LocationInput) {
              uploadMedia(file: $file, caption: $caption, location: $location) {
                id caption tags owner { username } images { standard { width height } }
              }
            }""";
    static final String FEED = """
            query Feed { feed(first: 10) { edges { node {
              id caption owner { username }
              images { thumbnail { url width height } low { url width height } standard { url width height } }
            } } } }""";
    static final String LIKE = "mutation Like($id: ID!) { like(mediaId: $id) { id likeCount viewerHasLiked } }";
    static final String COMMENT = """
            mutation Comment($id: ID!, $text: String!) { addComment(mediaId: $id, text: $text) { id text author { username } } }""";
    static final String ACTIVITY = """
            query Activity { activity(first: 10) { edges { node { kind actor { username } media { id } text } } } }""";
    static final String NEARBY = """
            query Nearby($lat: Float!, $lng: Float!, $radiusKm: Float) {
              nearby(lat: $lat, lng: $lng, radiusKm: $radiusKm, first: 10) {
                edges { node { id caption likeCount viewerHasLiked location { id name lat lng } } }
              }
            }""";
    static final String LOCATIONS = """
            query Locations($query: String!, $lat: Float, $lng: Float) { locations(query: $query, lat: $lat, lng: $lng) { id name } }""";
    static final String POPULAR = "query Popular { popular(first: 50) { edges { node { id likeCount commentCount } } } }";
    static final String TAG = """
            query Tag($name: String!) { tag(name: $name) { name mediaCount media(first: 5) { edges { node { id } } } } }""";
    static final String GRID = """
            query Grid($username: String!) { user(username: $username) {
              username mediaCount media(first: 12) { edges { node { id location { name } images { thumbnail { url } } } } }
            } }""";
    static final String MEDIA = "query Media($id: ID!) { media(id: $id) { id } }";
    static final String DELETE = "mutation Delete($id: ID!) { deleteMedia(id: $id) }";

    /** Northern Norway: no other test posts there. */
    static final double LAT = 69.6492;
    static final double LNG = 18.9553;

    private static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void signUp_follow_post_feed_like_comment_push_activity_nearby_places_popular_tag_grid_unfollow_delete_logOut() {
        // --- sign up (from an address of their own: sign-ups are limited per client address), log in ---------------
        final GatewayClient phone = client("127.0.2.1");
        final String aliceName = RealIdentity.uniqueName("alice");
        final String bobName = RealIdentity.uniqueName("bob");
        final JsonNode aliceSignUp = phone.graphql(SIGN_UP, Map.of("input", signUpInput(aliceName, "Alice Lindqvist")), null);
        assertNoErrors(aliceSignUp);
        final String alice = "Bearer " + aliceSignUp.path("data").path("signUp").path("token").asText();
        final String aliceId = aliceSignUp.path("data").path("signUp").path("user").path("id").asText();
        assertThat(aliceSignUp.path("data").path("signUp").path("user").path("fullName").asText()).isEqualTo("Alice Lindqvist");
        assertNoErrors(phone.graphql(SIGN_UP, Map.of("input", signUpInput(bobName, "Bob")), null));

        // CONFLICT: the name is taken (naming the field); the attempt still counts against the address
        final JsonNode taken = phone.graphql(SIGN_UP, Map.of("input", signUpInput(aliceName.toUpperCase(), "")), null);
        assertThat(code(taken.path("errors").get(0))).isEqualTo("CONFLICT");
        assertThat(fields(taken.path("errors").get(0))).containsExactly("username");
        // RATE_LIMITED: a fourth sign-up from the same address, with when to retry
        final JsonNode limited = phone.graphql(SIGN_UP, Map.of("input", signUpInput(RealIdentity.uniqueName("carl"), "")), null);
        assertThat(code(limited.path("errors").get(0))).isEqualTo("RATE_LIMITED");
        assertThat(limited.path("errors").get(0).path("extensions").path("retryAfterSeconds").asLong()).isPositive();

        // Bob logs in on another device: a new session of his own
        final JsonNode logIn = gateway.graphql(LOG_IN, Map.of("username", bobName, "password", RealIdentity.PASSWORD), null);
        assertNoErrors(logIn);
        final String bob = "Bearer " + logIn.path("data").path("logIn").path("token").asText();
        assertThat(gateway.graphql("{ viewer { username } }", bob).path("data").path("viewer").path("username").asText())
                .isEqualTo(bobName);
        // UNAUTHENTICATED: a wrong password
        assertThat(code(gateway.graphql(LOG_IN, Map.of("username", bobName, "password", "not his password"), null)
                               .path("errors").get(0))).isEqualTo("UNAUTHENTICATED");

        // --- Alice's phone registers for pushes; Bob follows Alice -----------------------------------------------
        final String deviceToken = "fcm-device-" + aliceId;
        final JsonNode registered = gateway.graphql(REGISTER_DEVICE, Map.of("input", Map.of(
                "platform", "FCM", "token", deviceToken, "locale", "en-GB")), alice);
        assertNoErrors(registered);
        assertThat(registered.path("data").path("registerDevice").asBoolean()).isTrue();
        // BAD_USER_INPUT naming the input field svc-notify refused
        final JsonNode emptyToken = gateway.graphql(REGISTER_DEVICE, Map.of("input", Map.of("platform", "FCM", "token", "")), alice);
        assertThat(code(emptyToken.path("errors").get(0))).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(emptyToken.path("errors").get(0))).containsExactly("token");

        final JsonNode followed = gateway.graphql(FOLLOW, Map.of("id", aliceId), bob);
        assertNoErrors(followed);
        assertThat(followed.path("data").path("follow").path("viewerFollows").asBoolean()).isTrue();
        assertThat(followed.path("data").path("follow").path("followerCount").asInt()).isEqualTo(1);

        // --- Alice posts a photo with a place and a hashtag ------------------------------------------------------
        final String tag = "aurora" + aliceId;
        final String place = "Fjellheisen " + aliceName;
        final HttpResponse<String> posted = gateway.upload(UPLOAD, Map.of(
                "caption", "Northern lights from the mountain #" + tag,
                "location", Map.of("name", place, "lat", LAT, "lng", LNG)),
                RealStack.photo(1280, 960, Color.GREEN), "aurora.png", "image/png", alice);
        assertThat(posted.statusCode()).isEqualTo(200);
        final JsonNode upload = GatewayClient.json(posted);
        assertNoErrors(upload);
        final JsonNode photo = upload.path("data").path("uploadMedia");
        final String mediaId = photo.path("id").asText();
        assertThat(texts(photo.path("tags"))).containsExactly(tag);
        assertThat(photo.path("owner").path("username").asText()).isEqualTo(aliceName);
        assertThat(photo.path("images").path("standard").path("width").asInt()).isEqualTo(1080);

        // --- it reaches Bob's feed (fan-out), with renditions one can download -----------------------------------
        final List<JsonNode> feed = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            final JsonNode response = gateway.graphql(FEED, bob);
            assertNoErrors(response);
            feed.clear();
            response.path("data").path("feed").path("edges").forEach(edge -> feed.add(edge.path("node")));
            assertThat(feed).extracting(node -> node.path("id").asText()).containsExactly(mediaId);
        });
        final JsonNode inFeed = feed.get(0);
        assertThat(inFeed.path("owner").path("username").asText()).isEqualTo(aliceName);
        assertThat(inFeed.path("caption").asText()).isEqualTo("Northern lights from the mountain #" + tag);
        final JsonNode images = inFeed.path("images");
        assertRendition(images.path("thumbnail"), 150, 150);
        assertRendition(images.path("low"), 320, 240);
        assertRendition(images.path("standard"), 1080, 810);
        // UNAUTHENTICATED: a feed without a token (feed is non-null: data is null)
        final JsonNode anonymousFeed = gateway.graphql(FEED);
        assertThat(code(anonymousFeed.path("errors").get(0))).isEqualTo("UNAUTHENTICATED");
        assertThat(anonymousFeed.path("data").isNull()).isTrue();

        // --- Bob likes and comments; Alice's phone gets the comment pushed --------------------------------------
        final JsonNode liked = gateway.graphql(LIKE, Map.of("id", mediaId), bob);
        assertNoErrors(liked);
        assertThat(liked.path("data").path("like").path("likeCount").asInt()).isEqualTo(1);
        assertThat(liked.path("data").path("like").path("viewerHasLiked").asBoolean()).isTrue();
        // NOT_FOUND: a photo that does not exist
        assertThat(code(gateway.graphql(LIKE, Map.of("id", "8388608"), bob).path("errors").get(0))).isEqualTo("NOT_FOUND");

        final JsonNode commented = gateway.graphql(COMMENT, Map.of("id", mediaId, "text", "Unreal colours!"), bob);
        assertNoErrors(commented);
        assertThat(commented.path("data").path("addComment").path("author").path("username").asText()).isEqualTo(bobName);
        // BAD_USER_INPUT naming the argument: a blank comment
        final JsonNode blank = gateway.graphql(COMMENT, Map.of("id", mediaId, "text", "  "), bob);
        assertThat(code(blank.path("errors").get(0))).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(blank.path("errors").get(0))).containsExactly("text");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(RealStack.fcm().messagesTo(deviceToken))
                .anySatisfy(push -> {
                    assertThat(push.path("notification").path("body").asText())
                            .isEqualTo(bobName + " commented: Unreal colours!");
                    assertThat(push.path("android").path("notification").path("body_loc_key").asText()).isEqualTo("COMMENT");
                    assertThat(push.path("data").path("deep_link").asText()).isEqualTo("pinhole://media/" + mediaId);
                }));

        // --- Alice's activity: Bob followed, liked, commented ---------------------------------------------------
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            final JsonNode response = gateway.graphql(ACTIVITY, alice);
            assertNoErrors(response);
            final List<JsonNode> items = nodes(response.path("data").path("activity"));
            assertThat(items).extracting(item -> item.path("kind").asText())
                             .containsExactlyInAnyOrder("FOLLOW", "LIKE", "COMMENT");
            assertThat(items).allSatisfy(item -> assertThat(item.path("actor").path("username").asText()).isEqualTo(bobName));
            assertThat(items).filteredOn(item -> !item.path("kind").asText().equals("FOLLOW"))
                             .allSatisfy(item -> assertThat(item.path("media").path("id").asText()).isEqualTo(mediaId));
            assertThat(items).filteredOn(item -> item.path("kind").asText().equals("COMMENT"))
                             .singleElement().satisfies(item -> assertThat(item.path("text").asText()).isEqualTo("Unreal colours!"));
        });

        // --- nearby: svc-geo has indexed the photo and named its place ------------------------------------------
        final Map<String, Object> near = Map.of("lat", LAT + 0.002, "lng", LNG, "radiusKm", 2);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            final JsonNode response = gateway.graphql(NEARBY, near, bob);
            assertNoErrors(response);
            assertThat(nodes(response.path("data").path("nearby"))).singleElement()
                    .satisfies(node -> assertThat(node.path("location").path("name").asText()).isEqualTo(place));
        });
        final int mark = BackendCalls.mark();
        final JsonNode nearby = gateway.graphql(NEARBY, near, bob);
        assertNoErrors(nearby);
        final JsonNode found = nodes(nearby.path("data").path("nearby")).get(0);
        assertThat(found.path("id").asText()).isEqualTo(mediaId);
        assertThat(found.path("caption").asText()).startsWith("Northern lights");
        assertThat(found.path("likeCount").asInt()).isEqualTo(1);
        assertThat(found.path("viewerHasLiked").asBoolean()).isTrue();
        assertThat(found.path("location").path("lat").asDouble()).isCloseTo(LAT, within(1e-6));
        assertThat(found.path("location").path("lng").asDouble()).isCloseTo(LNG, within(1e-6));
        // one call per RPC: the IDs, their media (one GetMedia), their places (one GetMediaPlaces), the viewer's likes
        assertThat(BackendCalls.since(mark)).extracting(BackendCalls.Call::method)
                .containsExactlyInAnyOrder("SearchNearby", "GetMedia", "GetMediaPlaces", "GetViewerLikes");
        assertThat(((GetMediaRequest) BackendCalls.since(mark, "GetMedia").get(0).request()).getMediaIdsList())
                .containsExactly(Long.parseLong(mediaId));
        assertThat(((GetMediaPlacesRequest) BackendCalls.since(mark, "GetMediaPlaces").get(0).request()).getMediaIdsList())
                .containsExactly(Long.parseLong(mediaId));
        // BAD_USER_INPUT naming the argument as the query spells it
        final JsonNode tooFar = gateway.graphql(NEARBY, Map.of("lat", LAT, "lng", LNG, "radiusKm", 500), bob);
        assertThat(code(tooFar.path("errors").get(0))).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(tooFar.path("errors").get(0))).containsExactly("radiusKm");

        // --- the place typeahead finds the photo's place --------------------------------------------------------
        final JsonNode locations = gateway.graphql(LOCATIONS, Map.of("query", "fjellh", "lat", LAT, "lng", LNG), null);
        assertNoErrors(locations);
        assertThat(locations.path("data").path("locations").get(0).path("id").asText())
                .isEqualTo(found.path("location").path("id").asText());
        assertThat(locations.path("data").path("locations").get(0).path("name").asText()).isEqualTo(place);

        // --- popular, the tag page and Alice's grid, for anyone -------------------------------------------------
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            final JsonNode response = gateway.graphql(POPULAR);
            assertNoErrors(response);
            assertThat(nodes(response.path("data").path("popular")))
                    .filteredOn(node -> node.path("id").asText().equals(mediaId)).singleElement()
                    .satisfies(node -> assertThat(node.path("commentCount").asInt()).isEqualTo(1));
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            final JsonNode response = gateway.graphql(TAG, Map.of("name", "#" + tag.toUpperCase()), null);
            assertNoErrors(response);
            assertThat(response.path("data").path("tag").path("name").asText()).isEqualTo(tag);
            assertThat(response.path("data").path("tag").path("mediaCount").asInt()).isEqualTo(1);
            assertThat(texts(response.path("data").path("tag").path("media").path("edges"), "node", "id"))
                    .containsExactly(mediaId);
        });
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            final JsonNode response = gateway.graphql(GRID, Map.of("username", aliceName), bob);
            assertNoErrors(response);
            final JsonNode user = response.path("data").path("user");
            assertThat(user.path("mediaCount").asInt()).isEqualTo(1);
            assertThat(nodes(user.path("media"))).singleElement().satisfies(node -> {
                assertThat(node.path("id").asText()).isEqualTo(mediaId);
                assertThat(node.path("location").path("name").asText()).isEqualTo(place);
                assertThat(node.path("images").path("thumbnail").path("url").asText()).startsWith("http");
            });
        });

        // --- Bob unfollows: the photo leaves his feed -----------------------------------------------------------
        final JsonNode unfollowed = gateway.graphql(UNFOLLOW, Map.of("id", aliceId), bob);
        assertNoErrors(unfollowed);
        assertThat(unfollowed.path("data").path("unfollow").path("viewerFollows").asBoolean()).isFalse();
        assertThat(unfollowed.path("data").path("unfollow").path("followerCount").asInt()).isZero();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            final JsonNode response = gateway.graphql(FEED, bob);
            assertNoErrors(response);
            assertThat(response.path("data").path("feed").path("edges")).isEmpty();
        });

        // --- delete: FORBIDDEN for Bob, done for Alice, then gone everywhere -------------------------------------
        assertThat(code(gateway.graphql(DELETE, Map.of("id", mediaId), bob).path("errors").get(0))).isEqualTo("FORBIDDEN");
        assertThat(gateway.graphql(DELETE, Map.of("id", mediaId), alice).path("data").path("deleteMedia").asBoolean()).isTrue();
        assertThat(gateway.graphql(DELETE, Map.of("id", mediaId), alice).path("data").path("deleteMedia").asBoolean()).isFalse();
        final JsonNode gone = gateway.graphql(MEDIA, Map.of("id", mediaId), alice);
        assertNoErrors(gone);
        assertThat(gone.path("data").path("media").isNull()).isTrue();
        assertThat(code(gateway.graphql(LIKE, Map.of("id", mediaId), bob).path("errors").get(0))).isEqualTo("NOT_FOUND");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            final JsonNode response = gateway.graphql(NEARBY, near, null);
            assertNoErrors(response);
            assertThat(response.path("data").path("nearby").path("edges")).isEmpty();
        });
        final JsonNode emptyGrid = gateway.graphql(GRID, Map.of("username", aliceName), null);
        assertNoErrors(emptyGrid);
        assertThat(emptyGrid.path("data").path("user").path("media").path("edges")).isEmpty();

        // --- Alice logs out: her token no longer works ----------------------------------------------------------
        final JsonNode logOut = gateway.graphql("mutation LogOut { logOut }", alice);
        assertNoErrors(logOut);
        assertThat(logOut.path("data").path("logOut").asBoolean()).isTrue();
        final JsonNode stale = gateway.graphql("{ viewer { id } }", alice);
        assertThat(stale.path("data").path("viewer").isNull()).isTrue();
        assertThat(code(stale.path("errors").get(0))).isEqualTo("UNAUTHENTICATED");
        final JsonNode staleDevice = gateway.graphql(REGISTER_DEVICE, Map.of("input", Map.of("platform", "FCM", "token", deviceToken)), alice);
        assertThat(code(staleDevice.path("errors").get(0))).isEqualTo("UNAUTHENTICATED");
        // Bob's session lives on
        assertThat(gateway.graphql("{ viewer { username } }", bob).path("data").path("viewer").path("username").asText())
                .isEqualTo(bobName);
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private GatewayClient client(String localAddress) {
        try {
            return new GatewayClient(port, InetAddress.getByName(localAddress));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, Object> signUpInput(String username, String fullName) {
        return Map.of("username", username, "email", username.toLowerCase() + "@example.com",
                      "password", RealIdentity.PASSWORD, "fullName", fullName);
    }

    private static List<JsonNode> nodes(JsonNode connection) {
        return StreamSupport.stream(connection.path("edges").spliterator(), false).map(edge -> edge.path("node")).toList();
    }

    /** The rendition has the size the schema promises and its URL serves a JPEG, as an app would download it. */
    private static void assertRendition(JsonNode image, int width, int height) {
        assertThat(image.path("width").asInt()).isEqualTo(width);
        assertThat(image.path("height").asInt()).isEqualTo(height);
        try {
            final HttpResponse<byte[]> response = http.send(
                    HttpRequest.newBuilder(URI.create(image.path("url").asText())).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("image/jpeg");
            assertThat(response.body()).startsWith((byte) 0xFF, (byte) 0xD8, (byte) 0xFF);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
