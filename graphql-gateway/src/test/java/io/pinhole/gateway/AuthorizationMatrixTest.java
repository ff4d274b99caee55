package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import graphql.language.FieldDefinition;
import graphql.language.ObjectTypeDefinition;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeDefinitionRegistry;
import java.awt.Color;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Issue 12's authorization matrix: every query and mutation of the schema, asked by every kind of caller, against the
 * whole real stack, as one table ({@link #rows()}). The world is set up once, only through the public GraphQL API
 * over HTTP:
 *
 * <ul>
 *   <li>{@code OWNER}: a public account with a photo {@code P} (tagged, with a place, liked and commented on by
 *       {@code FOLLOWER}); the owner likes and comments on {@code FOLLOWER}'s public photo {@code F};</li>
 *   <li>{@code FOLLOWER} follows the owner; {@code STRANGER} follows nobody;</li>
 *   <li>{@code BLOCKED}: followed the owner, whom the owner then blocked; {@code BLOCKER}: followed the owner, then
 *       blocked them (a block hides the blocker from the blocked, so the two directions answer differently);</li>
 *   <li>{@code PRIVATE}: a private account with a photo {@code Q} (same tag, a place 300 m from P's, liked and commented
 *       on by {@code APPROVED}, whose comment mentions {@code PENDING}); {@code APPROVED} is an approved follower,
 *       {@code PENDING}'s follow request waits;</li>
 *   <li>{@code ANONYMOUS} sends no token; {@code STALE} sends a token that was logged out.</li>
 * </ul>
 *
 * <p>Query rows come first and leave the world as it is; mutation rows either fail, change nothing (idempotent), or
 * undo what they did, so that every row sees the same world. {@link #everyQueryAndMutationField_hasRows()} reads the
 * schema and fails for a root field without rows, so a new field cannot ship without deciding who may call it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixTest extends RealIdentityTest {

    /** Who asks. */
    enum Actor { ANONYMOUS, STALE, OWNER, FOLLOWER, STRANGER, BLOCKED, BLOCKER, PRIVATE, APPROVED, PENDING }

    // Tristan da Cunha: no other test posts there.
    static final double LAT = -37.0675;
    static final double LNG = -12.3105;

    static final String VIEWER = "{ viewer { id } }";
    static final String USER = "query($u: String!) { user(username: $u) { id isPrivate viewerFollows followsViewer } }";
    static final String USER_MEDIA = "query($u: String!) { user(username: $u) { id media(first: 20) { edges { node { id } } } } }";
    static final String FOLLOWERS = "query($u: String!) { user(username: $u) { id followers(first: 50) { edges { node { id } } } } }";
    static final String FOLLOWING = "query($u: String!) { user(username: $u) { id following(first: 50) { edges { node { id } } } } }";
    static final String MEDIA = """
            query($id: ID!) { media(id: $id) {
              id owner { id } likeCount commentCount viewerHasLiked
              comments(first: 20) { edges { node { id author { id } } } } likers(first: 20) { edges { node { id } } }
            } }""";
    static final String FEED = "{ feed(first: 50) { edges { node { id } } } }";
    static final String ACTIVITY = "{ activity(first: 50) { edges { node { kind actor { id } media { id } } } } }";
    static final String POPULAR = """
            query($after: String) { popular(first: 50, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }""";
    static final String TAG = "query($t: String!) { tag(name: $t) { name media(first: 50) { edges { node { id } } } } }";
    static final String NEARBY = """
            query($lat: Float!, $lng: Float!) { nearby(lat: $lat, lng: $lng, radiusKm: 2, first: 50) { edges { node { id } } } }""";
    static final String LOCATIONS = "query($q: String!) { locations(query: $q) { id name } }";
    static final String SEARCH = "query($q: String!) { searchUsers(query: $q, first: 50) { id } }";

    static final String SIGN_UP = "mutation($input: SignUpInput!) { signUp(input: $input) { token user { id username } } }";
    static final String LOG_IN = """
            mutation($u: String!, $p: String!) { logIn(input: {username: $u, password: $p}) { token user { id } } }""";
    static final String LOG_OUT = "mutation { logOut }";
    static final String UPDATE_PROFILE = "mutation($bio: String) { updateProfile(input: {bio: $bio}) { id bio } }";
    static final String FOLLOW = "mutation($id: ID!) { follow(userId: $id) { id viewerFollows followerCount } }";
    static final String UNFOLLOW = "mutation($id: ID!) { unfollow(userId: $id) { id viewerFollows bio } }";
    static final String BLOCK = "mutation($id: ID!) { block(userId: $id) { id bio } }";
    static final String UNBLOCK = "mutation($id: ID!) { unblock(userId: $id) { id bio } }";
    static final String UPLOAD = """
            mutation($file: Upload!, $caption: String, $location: LocationInput) {
              uploadMedia(file: $file, caption: $caption, location: $location) { id owner { id } }
            }""";
    static final String DELETE_MEDIA = "mutation($id: ID!) { deleteMedia(id: $id) }";
    static final String LIKE = "mutation($id: ID!) { like(mediaId: $id) { id likeCount viewerHasLiked } }";
    static final String UNLIKE = "mutation($id: ID!) { unlike(mediaId: $id) { id likeCount viewerHasLiked } }";
    static final String ADD_COMMENT = "mutation($id: ID!, $text: String!) { addComment(mediaId: $id, text: $text) { id author { id } } }";
    static final String DELETE_COMMENT = "mutation($id: ID!) { deleteComment(id: $id) }";
    static final String REGISTER_DEVICE = "mutation($input: RegisterDeviceInput!) { registerDevice(input: $input) }";

    /** A media ID no photo has (shard 0, sequence 0, a millisecond after the epoch). */
    static final String UNKNOWN_MEDIA = "8388608";

    private final World world = new World();
    private final AtomicInteger signUpAddresses = new AtomicInteger();

    // =============================================================================================== the world

    /** Everything the rows refer to; filled once by {@link #setUpTheWorld()}. */
    static final class World {
        final Map<Actor, String> ids = new EnumMap<>(Actor.class);
        final Map<Actor, String> usernames = new EnumMap<>(Actor.class);
        final Map<Actor, String> bearers = new EnumMap<>(Actor.class);
        String photo;          // P: the owner's public photo
        String privatePhoto;   // Q: PRIVATE's photo
        String friendPhoto;    // F: FOLLOWER's public photo, liked and commented on by the owner
        String followerComment; // on P, by FOLLOWER
        String approvedComment; // on Q, by APPROVED (mentions PENDING)
        String ownerComment;   // on F, by OWNER
        String tag;
        String place;
        String privatePlace;

        String id(Actor actor) {
            return ids.get(actor);
        }

        String name(Actor actor) {
            return usernames.get(actor);
        }
    }

    @BeforeAll
    void setUpTheWorld() {
        final GatewayClient client = new GatewayClient(port);
        // Sign-ups are limited to 3 per client address: addresses no other test uses.
        final Actor[] people = {Actor.OWNER, Actor.FOLLOWER, Actor.STRANGER, Actor.BLOCKED, Actor.BLOCKER,
                                Actor.PRIVATE, Actor.APPROVED, Actor.PENDING};
        for (int i = 0; i < people.length; i++) {
            final Actor actor = people[i];
            final String username = RealIdentity.uniqueName(actor.name().substring(0, Math.min(6, actor.name().length())));
            final JsonNode signedUp = clientFrom("127.0.7." + (1 + i / 3))
                    .graphql(SIGN_UP, Map.of("input", signUpInput(username)), null);
            assertNoErrors(signedUp);
            world.ids.put(actor, signedUp.at("/data/signUp/user/id").asText());
            world.usernames.put(actor, username);
            world.bearers.put(actor, "Bearer " + signedUp.at("/data/signUp/token").asText());
        }
        final JsonNode stale = client.graphql(LOG_IN, Map.of("u", world.name(Actor.STRANGER), "p", RealIdentity.PASSWORD), null);
        assertNoErrors(stale);
        world.bearers.put(Actor.STALE, "Bearer " + stale.at("/data/logIn/token").asText());
        assertThat(client.graphql(LOG_OUT, world.bearers.get(Actor.STALE)).at("/data/logOut").asBoolean()).isTrue();

        // The follow graph. BLOCKED and BLOCKER follow last, so that the owner's FOLLOW activity would name one of
        // them if the feed service forgot to hide blocked actors.
        for (Actor fan : List.of(Actor.FOLLOWER, Actor.PRIVATE, Actor.BLOCKED, Actor.BLOCKER)) {
            ok(client.graphql(FOLLOW, Map.of("id", world.id(Actor.OWNER)), world.bearers.get(fan)));
        }
        // APPROVED follows while the account is public (approval through the API is turning public: there is no
        // approve mutation), then the account turns private and PENDING's follow becomes a request.
        ok(client.graphql(FOLLOW, Map.of("id", world.id(Actor.PRIVATE)), world.bearers.get(Actor.APPROVED)));
        final JsonNode madePrivate = client.graphql("mutation { updateProfile(input: {isPrivate: true}) { isPrivate } }",
                                                    world.bearers.get(Actor.PRIVATE));
        assertThat(ok(madePrivate).at("/data/updateProfile/isPrivate").asBoolean()).isTrue();
        final JsonNode requested = ok(client.graphql(FOLLOW, Map.of("id", world.id(Actor.PRIVATE)), world.bearers.get(Actor.PENDING)));
        assertThat(requested.at("/data/follow/viewerFollows").asBoolean()).isFalse();

        // Photos: Q is posted, liked and commented on before P, so that once P is in the popular ranking Q's events
        // have been counted too, and Q's absence from the ranking is the privacy rule, not timing.
        world.tag = "authz" + world.id(Actor.OWNER);
        world.place = "Edinburgh of the Seven Seas " + world.name(Actor.OWNER);
        world.privatePlace = "Hottentot Point " + world.name(Actor.PRIVATE);
        world.privatePhoto = upload(client, Actor.PRIVATE, "Garden #" + world.tag, world.privatePlace, LAT + 0.0027);
        world.photo = upload(client, Actor.OWNER, "Harbour #" + world.tag, world.place, LAT);
        world.friendPhoto = upload(client, Actor.FOLLOWER, "Lunch", null, 0);

        ok(client.graphql(LIKE, Map.of("id", world.privatePhoto), world.bearers.get(Actor.APPROVED)));
        ok(client.graphql(LIKE, Map.of("id", world.privatePhoto), world.bearers.get(Actor.PRIVATE)));
        world.approvedComment = ok(client.graphql(ADD_COMMENT, Map.of("id", world.privatePhoto,
                "text", "Lovely, @" + world.name(Actor.PENDING) + " look"), world.bearers.get(Actor.APPROVED))).at("/data/addComment/id").asText();
        ok(client.graphql(ADD_COMMENT, Map.of("id", world.privatePhoto, "text", "again"), world.bearers.get(Actor.APPROVED)));
        ok(client.graphql(LIKE, Map.of("id", world.photo), world.bearers.get(Actor.FOLLOWER)));
        world.followerComment = ok(client.graphql(ADD_COMMENT, Map.of("id", world.photo, "text", "Nice harbour"),
                                                  world.bearers.get(Actor.FOLLOWER))).at("/data/addComment/id").asText();
        ok(client.graphql(LIKE, Map.of("id", world.friendPhoto), world.bearers.get(Actor.OWNER)));
        world.ownerComment = ok(client.graphql(ADD_COMMENT, Map.of("id", world.friendPhoto, "text", "Yum"),
                                               world.bearers.get(Actor.OWNER))).at("/data/addComment/id").asText();

        // P reaches BLOCKED's and BLOCKER's feeds before the blocks, so the feed rows prove the blocks take it out.
        for (Actor reader : List.of(Actor.FOLLOWER, Actor.BLOCKED, Actor.BLOCKER)) {
            awaitIds(client, FEED, Map.of(), reader, "/data/feed", world.photo);
        }
        awaitIds(client, FEED, Map.of(), Actor.APPROVED, "/data/feed", world.privatePhoto);

        final JsonNode blocked = ok(client.graphql(BLOCK, Map.of("id", world.id(Actor.BLOCKED)), world.bearers.get(Actor.OWNER)));
        assertThat(blocked.at("/data/block/id").asText()).isEqualTo(world.id(Actor.BLOCKED));
        ok(client.graphql(BLOCK, Map.of("id", world.id(Actor.OWNER)), world.bearers.get(Actor.BLOCKER)));

        // Indexing, ranking and activity are asynchronous: the positive side of each leak row is awaited here, so that
        // a row saying "not there" is about who asks, not about timing.
        awaitIds(client, NEARBY, Map.of("lat", LAT, "lng", LNG), Actor.APPROVED, "/data/nearby", world.photo, world.privatePhoto);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(nodeIds(ok(allPopular(client, null)).at("/data/popular")))
                .contains(world.photo));
        awaitIds(client, TAG, Map.of("t", world.tag), Actor.APPROVED, "/data/tag/media", world.photo, world.privatePhoto);
        awaitActivity(client, Actor.OWNER, "LIKE", "COMMENT", "FOLLOW");
        awaitActivity(client, Actor.PRIVATE, "FOLLOW_REQUEST", "COMMENT", "LIKE");
        awaitActivity(client, Actor.PENDING, "MENTION");
    }

    // =============================================================================================== the table

    /** One cell of the matrix: {@code field} asked about {@code what} by {@code actor} answers {@code expected}. */
    record Row(String field, String what, Actor actor, Call call, Expect expected, Undo undo) {
        String displayName() {
            return field + " · " + what + " · " + actor + " → " + expected.text();
        }

        Row undo(Undo then) {
            return new Row(field, what, actor, call, expected, then);
        }
    }

    @FunctionalInterface
    interface Call {
        JsonNode run(AuthorizationMatrixTest test, World world, String bearer);
    }

    @FunctionalInterface
    interface Check {
        void check(World world, JsonNode response);
    }

    /** How a row puts things back after a call that changed the world. */
    @FunctionalInterface
    interface Undo {
        void run(AuthorizationMatrixTest test, World world, JsonNode response);
    }

    record Expect(String text, Check check) {}

    List<Row> rows() {
        final List<Row> rows = new ArrayList<>();
        final Function<Actor, Function<World, Map<String, Object>>> username = who -> w -> Map.of("u", w.name(who));
        final Function<World, Map<String, Object>> photo = w -> Map.of("id", w.photo);
        final Function<World, Map<String, Object>> privatePhoto = w -> Map.of("id", w.privatePhoto);
        final Function<World, Map<String, Object>> friendPhoto = w -> Map.of("id", w.friendPhoto);
        final Function<World, Map<String, Object>> tag = w -> Map.of("t", w.tag);
        final Function<World, Map<String, Object>> nearby = w -> Map.of("lat", LAT, "lng", LNG);
        final Function<World, Map<String, Object>> noVariables = w -> Map.of();

        // ---------------------------------------------------------------------------------------- Query.viewer
        rows.add(row("Query.viewer", "themself", Actor.ANONYMOUS, gql(VIEWER, noVariables), isNull("viewer")));
        rows.add(row("Query.viewer", "themself", Actor.STALE, gql(VIEWER, noVariables), error("UNAUTHENTICATED", "viewer")));
        for (Actor self : List.of(Actor.OWNER, Actor.BLOCKED, Actor.PRIVATE, Actor.PENDING)) {
            rows.add(row("Query.viewer", "themself", self, gql(VIEWER, noVariables),
                         data("their own user", (w, r) -> assertThat(r.at("/data/viewer/id").asText()).isEqualTo(w.id(self)))));
        }

        // ---------------------------------------------------------------------------------------- Query.user
        final Function<World, Map<String, Object>> owner = username.apply(Actor.OWNER);
        rows.add(row("Query.user", "the public owner", Actor.ANONYMOUS, gql(USER, owner), user(Actor.OWNER, false)));
        rows.add(row("Query.user", "the public owner", Actor.STALE, gql(USER, owner), error("UNAUTHENTICATED", "user")));
        rows.add(row("Query.user", "the public owner", Actor.OWNER, gql(USER, owner), user(Actor.OWNER, false)));
        rows.add(row("Query.user", "the public owner", Actor.FOLLOWER, gql(USER, owner), user(Actor.OWNER, true)));
        rows.add(row("Query.user", "the public owner", Actor.STRANGER, gql(USER, owner), user(Actor.OWNER, false)));
        rows.add(row("Query.user", "the public owner", Actor.BLOCKED, gql(USER, owner), isNull("user")));
        // The blocker still sees whom they blocked (to unblock them), like Instagram.
        rows.add(row("Query.user", "the public owner", Actor.BLOCKER, gql(USER, owner), user(Actor.OWNER, false)));
        rows.add(row("Query.user", "the user who blocked them", Actor.OWNER, gql(USER, username.apply(Actor.BLOCKER)), isNull("user")));
        rows.add(row("Query.user", "the user they blocked", Actor.OWNER, gql(USER, username.apply(Actor.BLOCKED)), user(Actor.BLOCKED, false)));
        final Function<World, Map<String, Object>> priv = username.apply(Actor.PRIVATE);
        // A private account's profile is public; its photos and lists are not.
        rows.add(row("Query.user", "the private account", Actor.ANONYMOUS, gql(USER, priv), user(Actor.PRIVATE, false)));
        rows.add(row("Query.user", "the private account", Actor.STRANGER, gql(USER, priv), user(Actor.PRIVATE, false)));
        rows.add(row("Query.user", "the private account", Actor.PENDING, gql(USER, priv), user(Actor.PRIVATE, false)));
        rows.add(row("Query.user", "the private account", Actor.APPROVED, gql(USER, priv), user(Actor.PRIVATE, true)));

        // User.media: the grid
        rows.add(row("Query.user", "the owner's grid", Actor.ANONYMOUS, gql(USER_MEDIA, owner), ids("/data/user/media", w -> w.photo)));
        rows.add(row("Query.user", "the owner's grid", Actor.STRANGER, gql(USER_MEDIA, owner), ids("/data/user/media", w -> w.photo)));
        rows.add(row("Query.user", "the owner's grid", Actor.OWNER, gql(USER_MEDIA, owner), ids("/data/user/media", w -> w.photo)));
        rows.add(row("Query.user", "the owner's grid", Actor.BLOCKED, gql(USER_MEDIA, owner), isNull("user")));
        rows.add(row("Query.user", "the owner's grid", Actor.BLOCKER, gql(USER_MEDIA, owner), error("NOT_FOUND", "user.media")));
        for (Actor outsider : List.of(Actor.ANONYMOUS, Actor.STRANGER, Actor.PENDING, Actor.OWNER)) {
            rows.add(row("Query.user", "the private grid", outsider, gql(USER_MEDIA, priv), error("FORBIDDEN", "user.media")));
        }
        for (Actor insider : List.of(Actor.APPROVED, Actor.PRIVATE)) {
            rows.add(row("Query.user", "the private grid", insider, gql(USER_MEDIA, priv), ids("/data/user/media", w -> w.privatePhoto)));
        }

        // User.followers / User.following
        rows.add(row("Query.user", "the owner's followers", Actor.ANONYMOUS, gql(FOLLOWERS, owner),
                     ids("/data/user/followers", w -> w.id(Actor.FOLLOWER), w -> w.id(Actor.PRIVATE))));
        rows.add(row("Query.user", "the owner's followers", Actor.STRANGER, gql(FOLLOWERS, owner),
                     ids("/data/user/followers", w -> w.id(Actor.FOLLOWER), w -> w.id(Actor.PRIVATE))));
        rows.add(row("Query.user", "the owner's followers", Actor.BLOCKER, gql(FOLLOWERS, owner),
                     ids("/data/user/followers", w -> w.id(Actor.FOLLOWER), w -> w.id(Actor.PRIVATE))));
        for (Actor outsider : List.of(Actor.ANONYMOUS, Actor.STRANGER, Actor.PENDING)) {
            rows.add(row("Query.user", "the private followers", outsider, gql(FOLLOWERS, priv), error("FORBIDDEN", "user.followers")));
            rows.add(row("Query.user", "the private following", outsider, gql(FOLLOWING, priv), error("FORBIDDEN", "user.following")));
        }
        for (Actor insider : List.of(Actor.APPROVED, Actor.PRIVATE)) {
            // the pending request is not a follower
            rows.add(row("Query.user", "the private followers", insider, gql(FOLLOWERS, priv),
                         ids("/data/user/followers", w -> w.id(Actor.APPROVED))));
            rows.add(row("Query.user", "the private following", insider, gql(FOLLOWING, priv),
                         ids("/data/user/following", w -> w.id(Actor.OWNER))));
        }
        // The owner in a third person's list: hidden from the user they blocked, shown to others.
        final Function<World, Map<String, Object>> follower = username.apply(Actor.FOLLOWER);
        rows.add(row("Query.user", "the follower's following (the owner)", Actor.STRANGER, gql(FOLLOWING, follower),
                     ids("/data/user/following", w -> w.id(Actor.OWNER))));
        rows.add(row("Query.user", "the follower's following (the owner)", Actor.BLOCKED, gql(FOLLOWING, follower),
                     ids("/data/user/following")));

        // ---------------------------------------------------------------------------------------- Query.media
        rows.add(row("Query.media", "P", Actor.ANONYMOUS, gql(MEDIA, photo), publicPhoto(false)));
        rows.add(row("Query.media", "P", Actor.STALE, gql(MEDIA, photo), error("UNAUTHENTICATED", "media")));
        rows.add(row("Query.media", "P", Actor.OWNER, gql(MEDIA, photo), publicPhoto(false)));
        rows.add(row("Query.media", "P", Actor.FOLLOWER, gql(MEDIA, photo), publicPhoto(true)));
        rows.add(row("Query.media", "P", Actor.STRANGER, gql(MEDIA, photo), publicPhoto(false)));
        rows.add(row("Query.media", "P", Actor.PENDING, gql(MEDIA, photo), publicPhoto(false)));
        rows.add(row("Query.media", "P", Actor.BLOCKED, gql(MEDIA, photo), isNull("media")));
        rows.add(row("Query.media", "P", Actor.BLOCKER, gql(MEDIA, photo), isNull("media")));
        for (Actor outsider : List.of(Actor.ANONYMOUS, Actor.STRANGER, Actor.PENDING, Actor.OWNER, Actor.BLOCKED)) {
            rows.add(row("Query.media", "private Q", outsider, gql(MEDIA, privatePhoto), isNull("media")));
        }
        for (Actor insider : List.of(Actor.APPROVED, Actor.PRIVATE)) {
            rows.add(row("Query.media", "private Q", insider, gql(MEDIA, privatePhoto), data("Q with its comments and likers", (w, r) -> {
                assertThat(r.at("/data/media/id").asText()).isEqualTo(w.privatePhoto);
                assertThat(nodeIds(r.at("/data/media/comments"))).contains(w.approvedComment);
                assertThat(nodeIds(r.at("/data/media/likers"))).contains(w.id(Actor.APPROVED), w.id(Actor.PRIVATE));
            })));
        }
        rows.add(row("Query.media", "an ID no photo has", Actor.OWNER, gql(MEDIA, w -> Map.of("id", UNKNOWN_MEDIA)), isNull("media")));
        // The owner's like and comment on F are hidden from the user the owner blocked, shown to others.
        rows.add(row("Query.media", "F (the owner liked and commented)", Actor.STRANGER, gql(MEDIA, friendPhoto),
                     data("the owner among likers and comment authors", (w, r) -> {
                         assertThat(nodeIds(r.at("/data/media/likers"))).contains(w.id(Actor.OWNER));
                         assertThat(authors(r.at("/data/media/comments"))).contains(w.id(Actor.OWNER));
                     })));
        rows.add(row("Query.media", "F (the owner liked and commented)", Actor.BLOCKED, gql(MEDIA, friendPhoto),
                     data("F without the owner's like and comment", (w, r) -> {
                         assertThat(r.at("/data/media/id").asText()).isEqualTo(w.friendPhoto);
                         assertThat(nodeIds(r.at("/data/media/likers"))).doesNotContain(w.id(Actor.OWNER));
                         assertThat(authors(r.at("/data/media/comments"))).doesNotContain(w.id(Actor.OWNER));
                         assertThat(nodeIds(r.at("/data/media/comments"))).doesNotContain(w.ownerComment);
                     })));

        // ---------------------------------------------------------------------------------------- Query.feed
        rows.add(row("Query.feed", "their home feed", Actor.ANONYMOUS, gql(FEED, noVariables), error("UNAUTHENTICATED", "feed")));
        rows.add(row("Query.feed", "their home feed", Actor.STALE, gql(FEED, noVariables), error("UNAUTHENTICATED", "feed")));
        rows.add(row("Query.feed", "their home feed", Actor.FOLLOWER, gql(FEED, noVariables), containsIds("/data/feed", w -> w.photo)));
        rows.add(row("Query.feed", "their home feed", Actor.APPROVED, gql(FEED, noVariables), containsIds("/data/feed", w -> w.privatePhoto)));
        for (Actor outsider : List.of(Actor.STRANGER, Actor.BLOCKED, Actor.BLOCKER, Actor.PENDING)) {
            rows.add(row("Query.feed", "their home feed", outsider, gql(FEED, noVariables),
                         lacksIds("/data/feed", w -> w.photo, w -> w.privatePhoto)));
        }

        // ---------------------------------------------------------------------------------------- Query.activity
        rows.add(row("Query.activity", "their activity", Actor.ANONYMOUS, gql(ACTIVITY, noVariables), error("UNAUTHENTICATED", "activity")));
        rows.add(row("Query.activity", "their activity", Actor.STALE, gql(ACTIVITY, noVariables), error("UNAUTHENTICATED", "activity")));
        rows.add(row("Query.activity", "their activity", Actor.OWNER, gql(ACTIVITY, noVariables),
                     data("the follower's LIKE, COMMENT, FOLLOW; never BLOCKED or BLOCKER", (w, r) -> {
                         final List<JsonNode> items = nodes(r.at("/data/activity"));
                         assertThat(items).extracting(item -> item.path("kind").asText()).contains("LIKE", "COMMENT", "FOLLOW");
                         assertThat(items).extracting(item -> item.at("/actor/id").asText())
                                          .doesNotContain(w.id(Actor.BLOCKED), w.id(Actor.BLOCKER));
                     })));
        rows.add(row("Query.activity", "their activity", Actor.PRIVATE, gql(ACTIVITY, noVariables),
                     data("PENDING's FOLLOW_REQUEST and APPROVED's COMMENT on Q", (w, r) -> {
                         final List<JsonNode> items = nodes(r.at("/data/activity"));
                         assertThat(items).anySatisfy(item -> {
                             assertThat(item.path("kind").asText()).isEqualTo("FOLLOW_REQUEST");
                             assertThat(item.at("/actor/id").asText()).isEqualTo(w.id(Actor.PENDING));
                         });
                         assertThat(items).anySatisfy(item -> {
                             assertThat(item.path("kind").asText()).isEqualTo("COMMENT");
                             assertThat(item.at("/media/id").asText()).isEqualTo(w.privatePhoto);
                         });
                     })));
        // Mentioned in a comment on a photo they may not see: the item is there, the photo is not.
        rows.add(row("Query.activity", "their activity", Actor.PENDING, gql(ACTIVITY, noVariables),
                     data("a MENTION whose media (private Q) is null", (w, r) -> assertThat(nodes(r.at("/data/activity")))
                             .filteredOn(item -> item.path("kind").asText().equals("MENTION")).singleElement()
                             .satisfies(item -> assertThat(item.path("media").isNull()).isTrue()))));
        rows.add(row("Query.activity", "their activity", Actor.STRANGER, gql(ACTIVITY, noVariables), ids("/data/activity")));

        // ---------------------------------------------------------------------------------------- Query.popular
        rows.add(row("Query.popular", "ranked P and Q", Actor.ANONYMOUS, popular(),
                     containsAndLacks("/data/popular", w -> w.photo, w -> w.privatePhoto)));
        rows.add(row("Query.popular", "ranked P and Q", Actor.STALE, popular(), error("UNAUTHENTICATED", "popular")));
        rows.add(row("Query.popular", "ranked P and Q", Actor.STRANGER, popular(),
                     containsAndLacks("/data/popular", w -> w.photo, w -> w.privatePhoto)));
        // Private photos never rank publicly, not even for approved followers (Instagram's Explore shows public posts).
        rows.add(row("Query.popular", "ranked P and Q", Actor.APPROVED, popular(),
                     containsAndLacks("/data/popular", w -> w.photo, w -> w.privatePhoto)));
        rows.add(row("Query.popular", "ranked P and Q", Actor.PRIVATE, popular(),
                     containsAndLacks("/data/popular", w -> w.photo, w -> w.privatePhoto)));
        rows.add(row("Query.popular", "ranked P and Q", Actor.BLOCKED, popular(),
                     lacksIds("/data/popular", w -> w.photo, w -> w.privatePhoto)));
        rows.add(row("Query.popular", "ranked P and Q", Actor.BLOCKER, popular(),
                     lacksIds("/data/popular", w -> w.photo, w -> w.privatePhoto)));

        // ---------------------------------------------------------------------------------------- Query.tag
        rows.add(row("Query.tag", "the tag of P and Q", Actor.ANONYMOUS, gql(TAG, tag), containsAndLacks("/data/tag/media", w -> w.photo, w -> w.privatePhoto)));
        rows.add(row("Query.tag", "the tag of P and Q", Actor.STALE, gql(TAG, tag), error("UNAUTHENTICATED", "tag")));
        rows.add(row("Query.tag", "the tag of P and Q", Actor.STRANGER, gql(TAG, tag), containsAndLacks("/data/tag/media", w -> w.photo, w -> w.privatePhoto)));
        rows.add(row("Query.tag", "the tag of P and Q", Actor.PENDING, gql(TAG, tag), containsAndLacks("/data/tag/media", w -> w.photo, w -> w.privatePhoto)));
        rows.add(row("Query.tag", "the tag of P and Q", Actor.APPROVED, gql(TAG, tag), ids("/data/tag/media", w -> w.privatePhoto, w -> w.photo)));
        rows.add(row("Query.tag", "the tag of P and Q", Actor.PRIVATE, gql(TAG, tag), ids("/data/tag/media", w -> w.privatePhoto, w -> w.photo)));
        rows.add(row("Query.tag", "the tag of P and Q", Actor.BLOCKED, gql(TAG, tag), ids("/data/tag/media")));
        rows.add(row("Query.tag", "the tag of P and Q", Actor.BLOCKER, gql(TAG, tag), ids("/data/tag/media")));

        // ---------------------------------------------------------------------------------------- Query.nearby
        rows.add(row("Query.nearby", "P and Q's spot", Actor.ANONYMOUS, gql(NEARBY, nearby), ids("/data/nearby", w -> w.photo)));
        rows.add(row("Query.nearby", "P and Q's spot", Actor.STALE, gql(NEARBY, nearby), error("UNAUTHENTICATED", "nearby")));
        rows.add(row("Query.nearby", "P and Q's spot", Actor.STRANGER, gql(NEARBY, nearby), ids("/data/nearby", w -> w.photo)));
        rows.add(row("Query.nearby", "P and Q's spot", Actor.PENDING, gql(NEARBY, nearby), ids("/data/nearby", w -> w.photo)));
        rows.add(row("Query.nearby", "P and Q's spot", Actor.APPROVED, gql(NEARBY, nearby), ids("/data/nearby", w -> w.photo, w -> w.privatePhoto)));
        rows.add(row("Query.nearby", "P and Q's spot", Actor.PRIVATE, gql(NEARBY, nearby), ids("/data/nearby", w -> w.photo, w -> w.privatePhoto)));
        rows.add(row("Query.nearby", "P and Q's spot", Actor.BLOCKED, gql(NEARBY, nearby), ids("/data/nearby")));
        rows.add(row("Query.nearby", "P and Q's spot", Actor.BLOCKER, gql(NEARBY, nearby), ids("/data/nearby")));

        // ---------------------------------------------------------------------------------------- Query.locations
        final Function<World, Map<String, Object>> placeQuery = w -> Map.of("q", "Edinburgh");
        final Expect thePlace = data("P's place", (w, r) -> assertThat(texts(r.at("/data/locations"), "name")).contains(w.place));
        rows.add(row("Query.locations", "P's place by name", Actor.ANONYMOUS, gql(LOCATIONS, placeQuery), thePlace));
        rows.add(row("Query.locations", "P's place by name", Actor.STALE, gql(LOCATIONS, placeQuery), error("UNAUTHENTICATED", "locations")));
        rows.add(row("Query.locations", "P's place by name", Actor.STRANGER, gql(LOCATIONS, placeQuery), thePlace));

        // ---------------------------------------------------------------------------------------- Query.searchUsers
        final Function<Actor, Function<World, Map<String, Object>>> search = who -> w -> Map.of("q", w.name(who));
        rows.add(row("Query.searchUsers", "the owner's name", Actor.ANONYMOUS, gql(SEARCH, search.apply(Actor.OWNER)), found(Actor.OWNER, true)));
        rows.add(row("Query.searchUsers", "the owner's name", Actor.STALE, gql(SEARCH, search.apply(Actor.OWNER)), error("UNAUTHENTICATED", "searchUsers")));
        rows.add(row("Query.searchUsers", "the owner's name", Actor.STRANGER, gql(SEARCH, search.apply(Actor.OWNER)), found(Actor.OWNER, true)));
        rows.add(row("Query.searchUsers", "the owner's name", Actor.BLOCKER, gql(SEARCH, search.apply(Actor.OWNER)), found(Actor.OWNER, true)));
        rows.add(row("Query.searchUsers", "the owner's name", Actor.BLOCKED, gql(SEARCH, search.apply(Actor.OWNER)), found(Actor.OWNER, false)));
        rows.add(row("Query.searchUsers", "the name of who blocked them", Actor.OWNER, gql(SEARCH, search.apply(Actor.BLOCKER)), found(Actor.BLOCKER, false)));
        rows.add(row("Query.searchUsers", "the private account's name", Actor.STRANGER, gql(SEARCH, search.apply(Actor.PRIVATE)), found(Actor.PRIVATE, true)));

        // ================================================================================= mutations (in order)

        // ---------------------------------------------------------------------------------------- Mutation.signUp
        // A token in the request never matters to signUp (each row from an address of its own: sign-ups are limited).
        for (Actor anyone : List.of(Actor.ANONYMOUS, Actor.STALE, Actor.OWNER)) {
            rows.add(row("Mutation.signUp", "a new account", anyone, (t, w, bearer) -> {
                final String name = RealIdentity.uniqueName("newbie");
                return t.clientFrom("127.0.8." + t.signUpAddresses.incrementAndGet())
                        .graphql(SIGN_UP, Map.of("input", signUpInput(name)), bearer);
            }, data("a token for the new account", (w, r) -> {
                assertThat(r.at("/data/signUp/token").asText()).isNotBlank();
                assertThat(r.at("/data/signUp/user/id").asText()).isNotIn(w.ids.values());
            })));
        }

        // ---------------------------------------------------------------------------------------- Mutation.logIn
        final Function<World, Map<String, Object>> ownerCredentials = w -> Map.of("u", w.name(Actor.OWNER), "p", RealIdentity.PASSWORD);
        final Expect ownerSession = data("a session of the owner", (w, r) -> {
            assertThat(r.at("/data/logIn/token").asText()).isNotBlank();
            assertThat(r.at("/data/logIn/user/id").asText()).isEqualTo(w.id(Actor.OWNER));
        });
        for (Actor anyone : List.of(Actor.ANONYMOUS, Actor.STALE, Actor.BLOCKED)) {
            rows.add(row("Mutation.logIn", "the owner's credentials", anyone, gql(LOG_IN, ownerCredentials), ownerSession));
        }
        rows.add(row("Mutation.logIn", "the owner's name, a wrong password", Actor.ANONYMOUS,
                     gql(LOG_IN, w -> Map.of("u", w.name(Actor.OWNER), "p", "not the password")), error("UNAUTHENTICATED", "logIn")));

        // ---------------------------------------------------------------------------------------- Mutation.logOut
        rows.add(row("Mutation.logOut", "no session", Actor.ANONYMOUS, gql(LOG_OUT, noVariables), value("/data/logOut", "false")));
        rows.add(row("Mutation.logOut", "an ended session", Actor.STALE, gql(LOG_OUT, noVariables), value("/data/logOut", "false")));
        // A session of its own, so that the owner's token the other rows use lives on.
        rows.add(row("Mutation.logOut", "a second session of theirs", Actor.OWNER, (t, w, bearer) -> {
            final JsonNode session = t.http().graphql(LOG_IN, ownerCredentials.apply(w), null);
            return t.http().graphql(LOG_OUT, "Bearer " + session.at("/data/logIn/token").asText());
        }, value("/data/logOut", "true")));

        // ---------------------------------------------------------------------------------------- Mutation.updateProfile
        final Function<World, Map<String, Object>> bio = w -> Map.of("bio", "same as ever");
        rows.add(row("Mutation.updateProfile", "a bio", Actor.ANONYMOUS, gql(UPDATE_PROFILE, bio), error("UNAUTHENTICATED", "updateProfile")));
        rows.add(row("Mutation.updateProfile", "a bio", Actor.STALE, gql(UPDATE_PROFILE, bio), error("UNAUTHENTICATED", "updateProfile")));
        for (Actor self : List.of(Actor.FOLLOWER, Actor.BLOCKED)) {
            rows.add(row("Mutation.updateProfile", "a bio", self, gql(UPDATE_PROFILE, bio),
                         data("their own profile, changed", (w, r) -> {
                             assertThat(r.at("/data/updateProfile/id").asText()).isEqualTo(w.id(self));
                             assertThat(r.at("/data/updateProfile/bio").asText()).isEqualTo("same as ever");
                         })));
        }

        // ---------------------------------------------------------------------------------------- Mutation.follow
        final Function<Actor, Function<World, Map<String, Object>>> userId = who -> w -> Map.of("id", w.id(who));
        rows.add(row("Mutation.follow", "the owner", Actor.ANONYMOUS, gql(FOLLOW, userId.apply(Actor.OWNER)), error("UNAUTHENTICATED", "follow")));
        rows.add(row("Mutation.follow", "the owner", Actor.STALE, gql(FOLLOW, userId.apply(Actor.OWNER)), error("UNAUTHENTICATED", "follow")));
        rows.add(row("Mutation.follow", "themself", Actor.OWNER, gql(FOLLOW, userId.apply(Actor.OWNER)), error("BAD_USER_INPUT", "follow")));
        rows.add(row("Mutation.follow", "the owner, again", Actor.FOLLOWER, gql(FOLLOW, userId.apply(Actor.OWNER)),
                     data("followed, nothing changed", (w, r) -> {
                         assertThat(r.at("/data/follow/viewerFollows").asBoolean()).isTrue();
                         assertThat(r.at("/data/follow/followerCount").asInt()).isEqualTo(2); // FOLLOWER, PRIVATE
                     })));
        rows.add(row("Mutation.follow", "the owner", Actor.STRANGER, gql(FOLLOW, userId.apply(Actor.OWNER)),
                     value("/data/follow/viewerFollows", "true")).undo(undo(UNFOLLOW, userId.apply(Actor.OWNER), Actor.STRANGER)));
        rows.add(row("Mutation.follow", "the owner", Actor.BLOCKED, gql(FOLLOW, userId.apply(Actor.OWNER)), error("NOT_FOUND", "follow")));
        rows.add(row("Mutation.follow", "the owner", Actor.BLOCKER, gql(FOLLOW, userId.apply(Actor.OWNER)), error("FORBIDDEN", "follow")));
        rows.add(row("Mutation.follow", "the user they blocked", Actor.OWNER, gql(FOLLOW, userId.apply(Actor.BLOCKED)), error("FORBIDDEN", "follow")));
        rows.add(row("Mutation.follow", "the private account", Actor.STRANGER, gql(FOLLOW, userId.apply(Actor.PRIVATE)),
                     data("a request: not following, count unchanged", (w, r) -> {
                         assertThat(r.at("/data/follow/viewerFollows").asBoolean()).isFalse();
                         assertThat(r.at("/data/follow/followerCount").asInt()).isEqualTo(1);
                     })).undo(undo(UNFOLLOW, userId.apply(Actor.PRIVATE), Actor.STRANGER)));
        rows.add(row("Mutation.follow", "the private account, again", Actor.PENDING, gql(FOLLOW, userId.apply(Actor.PRIVATE)),
                     value("/data/follow/viewerFollows", "false")));
        rows.add(row("Mutation.follow", "the private account, again", Actor.APPROVED, gql(FOLLOW, userId.apply(Actor.PRIVATE)),
                     value("/data/follow/viewerFollows", "true")));

        // ---------------------------------------------------------------------------------------- Mutation.unfollow
        rows.add(row("Mutation.unfollow", "the owner", Actor.ANONYMOUS, gql(UNFOLLOW, userId.apply(Actor.OWNER)), error("UNAUTHENTICATED", "unfollow")));
        rows.add(row("Mutation.unfollow", "the owner", Actor.STALE, gql(UNFOLLOW, userId.apply(Actor.OWNER)), error("UNAUTHENTICATED", "unfollow")));
        rows.add(row("Mutation.unfollow", "the owner (not followed)", Actor.STRANGER, gql(UNFOLLOW, userId.apply(Actor.OWNER)),
                     value("/data/unfollow/viewerFollows", "false")));
        rows.add(row("Mutation.unfollow", "the owner", Actor.FOLLOWER, gql(UNFOLLOW, userId.apply(Actor.OWNER)),
                     value("/data/unfollow/viewerFollows", "false")).undo(undo(FOLLOW, userId.apply(Actor.OWNER), Actor.FOLLOWER)));
        // As follow: whoever blocks the viewer does not exist for them (answering would hand over their profile).
        rows.add(row("Mutation.unfollow", "the owner", Actor.BLOCKED, gql(UNFOLLOW, userId.apply(Actor.OWNER)), error("NOT_FOUND", "unfollow")));
        rows.add(row("Mutation.unfollow", "the owner", Actor.BLOCKER, gql(UNFOLLOW, userId.apply(Actor.OWNER)),
                     value("/data/unfollow/viewerFollows", "false")));
        rows.add(row("Mutation.unfollow", "the private account (withdraws the request)", Actor.PENDING, gql(UNFOLLOW, userId.apply(Actor.PRIVATE)),
                     value("/data/unfollow/viewerFollows", "false")).undo(undo(FOLLOW, userId.apply(Actor.PRIVATE), Actor.PENDING)));

        // ---------------------------------------------------------------------------------------- Mutation.block
        rows.add(row("Mutation.block", "the owner", Actor.ANONYMOUS, gql(BLOCK, userId.apply(Actor.OWNER)), error("UNAUTHENTICATED", "block")));
        rows.add(row("Mutation.block", "the owner", Actor.STALE, gql(BLOCK, userId.apply(Actor.OWNER)), error("UNAUTHENTICATED", "block")));
        rows.add(row("Mutation.block", "themself", Actor.OWNER, gql(BLOCK, userId.apply(Actor.OWNER)), error("BAD_USER_INPUT", "block")));
        rows.add(row("Mutation.block", "the user they blocked, again", Actor.OWNER, gql(BLOCK, userId.apply(Actor.BLOCKED)),
                     value("/data/block/id", w -> w.id(Actor.BLOCKED))));
        rows.add(row("Mutation.block", "the owner", Actor.STRANGER, gql(BLOCK, userId.apply(Actor.OWNER)),
                     value("/data/block/id", w -> w.id(Actor.OWNER))).undo(undo(UNBLOCK, userId.apply(Actor.OWNER), Actor.STRANGER)));
        rows.add(row("Mutation.block", "the owner (who blocked them)", Actor.BLOCKED, gql(BLOCK, userId.apply(Actor.OWNER)), error("NOT_FOUND", "block")));

        // ---------------------------------------------------------------------------------------- Mutation.unblock
        rows.add(row("Mutation.unblock", "the owner", Actor.ANONYMOUS, gql(UNBLOCK, userId.apply(Actor.OWNER)), error("UNAUTHENTICATED", "unblock")));
        rows.add(row("Mutation.unblock", "the owner", Actor.STALE, gql(UNBLOCK, userId.apply(Actor.OWNER)), error("UNAUTHENTICATED", "unblock")));
        rows.add(row("Mutation.unblock", "someone not blocked", Actor.OWNER, gql(UNBLOCK, userId.apply(Actor.STRANGER)),
                     value("/data/unblock/id", w -> w.id(Actor.STRANGER))));
        rows.add(row("Mutation.unblock", "the owner (who blocked them)", Actor.BLOCKED, gql(UNBLOCK, userId.apply(Actor.OWNER)), error("NOT_FOUND", "unblock")));

        // ---------------------------------------------------------------------------------------- Mutation.uploadMedia
        rows.add(row("Mutation.uploadMedia", "a photo", Actor.ANONYMOUS, upload(), error("UNAUTHENTICATED", "uploadMedia")));
        rows.add(row("Mutation.uploadMedia", "a photo", Actor.STALE, upload(), error("UNAUTHENTICATED", "uploadMedia")));
        rows.add(row("Mutation.uploadMedia", "a photo", Actor.BLOCKED, upload(),
                     value("/data/uploadMedia/owner/id", w -> w.id(Actor.BLOCKED)))
                .undo((t, w, r) -> ok(t.http().graphql(DELETE_MEDIA, Map.of("id", r.at("/data/uploadMedia/id").asText()),
                                                       w.bearers.get(Actor.BLOCKED)))));

        // ---------------------------------------------------------------------------------------- Mutation.deleteMedia
        rows.add(row("Mutation.deleteMedia", "P", Actor.ANONYMOUS, gql(DELETE_MEDIA, photo), error("UNAUTHENTICATED", "deleteMedia")));
        rows.add(row("Mutation.deleteMedia", "P", Actor.STALE, gql(DELETE_MEDIA, photo), error("UNAUTHENTICATED", "deleteMedia")));
        rows.add(row("Mutation.deleteMedia", "P", Actor.FOLLOWER, gql(DELETE_MEDIA, photo), error("FORBIDDEN", "deleteMedia")));
        rows.add(row("Mutation.deleteMedia", "P", Actor.STRANGER, gql(DELETE_MEDIA, photo), error("FORBIDDEN", "deleteMedia")));
        rows.add(row("Mutation.deleteMedia", "P", Actor.BLOCKED, gql(DELETE_MEDIA, photo), error("NOT_FOUND", "deleteMedia")));
        rows.add(row("Mutation.deleteMedia", "private Q", Actor.PENDING, gql(DELETE_MEDIA, privatePhoto), error("NOT_FOUND", "deleteMedia")));
        rows.add(row("Mutation.deleteMedia", "private Q", Actor.APPROVED, gql(DELETE_MEDIA, privatePhoto), error("FORBIDDEN", "deleteMedia")));
        rows.add(row("Mutation.deleteMedia", "a photo of theirs posted for this row", Actor.OWNER, (t, w, bearer) -> {
            final String id = upload(t.http(), Actor.OWNER, w, "to be deleted", null, 0);
            return t.http().graphql(DELETE_MEDIA, Map.of("id", id), bearer);
        }, value("/data/deleteMedia", "true")));

        // ---------------------------------------------------------------------------------------- Mutation.like / unlike
        rows.add(row("Mutation.like", "P", Actor.ANONYMOUS, gql(LIKE, photo), error("UNAUTHENTICATED", "like")));
        rows.add(row("Mutation.like", "P", Actor.STALE, gql(LIKE, photo), error("UNAUTHENTICATED", "like")));
        rows.add(row("Mutation.like", "P, again", Actor.FOLLOWER, gql(LIKE, photo), liked("like", 1, true)));
        rows.add(row("Mutation.like", "P", Actor.STRANGER, gql(LIKE, photo), liked("like", 2, true))
                .undo(undo(UNLIKE, photo, Actor.STRANGER)));
        rows.add(row("Mutation.like", "P", Actor.BLOCKED, gql(LIKE, photo), error("NOT_FOUND", "like")));
        rows.add(row("Mutation.like", "P", Actor.BLOCKER, gql(LIKE, photo), error("NOT_FOUND", "like")));
        rows.add(row("Mutation.like", "private Q", Actor.STRANGER, gql(LIKE, privatePhoto), error("NOT_FOUND", "like")));
        rows.add(row("Mutation.like", "private Q", Actor.PENDING, gql(LIKE, privatePhoto), error("NOT_FOUND", "like")));
        rows.add(row("Mutation.like", "private Q, again", Actor.APPROVED, gql(LIKE, privatePhoto), liked("like", 2, true)));
        rows.add(row("Mutation.unlike", "P", Actor.ANONYMOUS, gql(UNLIKE, photo), error("UNAUTHENTICATED", "unlike")));
        rows.add(row("Mutation.unlike", "P", Actor.STALE, gql(UNLIKE, photo), error("UNAUTHENTICATED", "unlike")));
        rows.add(row("Mutation.unlike", "P (never liked)", Actor.STRANGER, gql(UNLIKE, photo), liked("unlike", 1, false)));
        rows.add(row("Mutation.unlike", "P", Actor.BLOCKED, gql(UNLIKE, photo), error("NOT_FOUND", "unlike")));
        rows.add(row("Mutation.unlike", "private Q", Actor.PENDING, gql(UNLIKE, privatePhoto), error("NOT_FOUND", "unlike")));

        // ---------------------------------------------------------------------------------------- Mutation.addComment
        final Function<World, Map<String, Object>> commentOnP = w -> Map.of("id", w.photo, "text", "hello");
        final Function<World, Map<String, Object>> commentOnQ = w -> Map.of("id", w.privatePhoto, "text", "hello");
        final Undo deleteIt = (t, w, r) -> ok(t.http().graphql(DELETE_COMMENT, Map.of("id", r.at("/data/addComment/id").asText()),
                                                               w.bearers.get(Actor.OWNER)));
        rows.add(row("Mutation.addComment", "P", Actor.ANONYMOUS, gql(ADD_COMMENT, commentOnP), error("UNAUTHENTICATED", "addComment")));
        rows.add(row("Mutation.addComment", "P", Actor.STALE, gql(ADD_COMMENT, commentOnP), error("UNAUTHENTICATED", "addComment")));
        rows.add(row("Mutation.addComment", "P", Actor.STRANGER, gql(ADD_COMMENT, commentOnP),
                     value("/data/addComment/author/id", w -> w.id(Actor.STRANGER))).undo(deleteIt));
        rows.add(row("Mutation.addComment", "P", Actor.BLOCKED, gql(ADD_COMMENT, commentOnP), error("NOT_FOUND", "addComment")));
        rows.add(row("Mutation.addComment", "P", Actor.BLOCKER, gql(ADD_COMMENT, commentOnP), error("NOT_FOUND", "addComment")));
        rows.add(row("Mutation.addComment", "private Q", Actor.PENDING, gql(ADD_COMMENT, commentOnQ), error("NOT_FOUND", "addComment")));
        rows.add(row("Mutation.addComment", "private Q", Actor.STRANGER, gql(ADD_COMMENT, commentOnQ), error("NOT_FOUND", "addComment")));
        rows.add(row("Mutation.addComment", "private Q", Actor.APPROVED, gql(ADD_COMMENT, commentOnQ),
                     value("/data/addComment/author/id", w -> w.id(Actor.APPROVED)))
                .undo((t, w, r) -> ok(t.http().graphql(DELETE_COMMENT, Map.of("id", r.at("/data/addComment/id").asText()),
                                                       w.bearers.get(Actor.PRIVATE)))));

        // ---------------------------------------------------------------------------------------- Mutation.deleteComment
        final Function<World, Map<String, Object>> followerComment = w -> Map.of("id", w.followerComment);
        rows.add(row("Mutation.deleteComment", "FOLLOWER's comment on P", Actor.ANONYMOUS, gql(DELETE_COMMENT, followerComment), error("UNAUTHENTICATED", "deleteComment")));
        rows.add(row("Mutation.deleteComment", "FOLLOWER's comment on P", Actor.STALE, gql(DELETE_COMMENT, followerComment), error("UNAUTHENTICATED", "deleteComment")));
        rows.add(row("Mutation.deleteComment", "FOLLOWER's comment on P", Actor.STRANGER, gql(DELETE_COMMENT, followerComment), error("FORBIDDEN", "deleteComment")));
        rows.add(row("Mutation.deleteComment", "FOLLOWER's comment on P", Actor.BLOCKED, gql(DELETE_COMMENT, followerComment), error("NOT_FOUND", "deleteComment")));
        rows.add(row("Mutation.deleteComment", "APPROVED's comment on private Q", Actor.PENDING,
                     gql(DELETE_COMMENT, w -> Map.of("id", w.approvedComment)), error("NOT_FOUND", "deleteComment")));
        // The owner's comment is hidden from the user they blocked: unknown to them, like every invisible thing.
        rows.add(row("Mutation.deleteComment", "the owner's comment on F", Actor.BLOCKED,
                     gql(DELETE_COMMENT, w -> Map.of("id", w.ownerComment)), error("NOT_FOUND", "deleteComment")));
        // The photo's owner may delete anyone's comment on it; the author their own.
        rows.add(row("Mutation.deleteComment", "a comment FOLLOWER just wrote on P", Actor.OWNER,
                     deleteFreshComment(Actor.FOLLOWER), value("/data/deleteComment", "true")));
        rows.add(row("Mutation.deleteComment", "a comment they just wrote on P", Actor.FOLLOWER,
                     deleteFreshComment(Actor.FOLLOWER), value("/data/deleteComment", "true")));

        // ---------------------------------------------------------------------------------------- Mutation.registerDevice
        final Function<World, Map<String, Object>> device = w -> Map.of("input", Map.of("platform", "FCM", "token", "authz-" + w.id(Actor.OWNER)));
        rows.add(row("Mutation.registerDevice", "a device", Actor.ANONYMOUS, gql(REGISTER_DEVICE, device), error("UNAUTHENTICATED", "registerDevice")));
        rows.add(row("Mutation.registerDevice", "a device", Actor.STALE, gql(REGISTER_DEVICE, device), error("UNAUTHENTICATED", "registerDevice")));
        rows.add(row("Mutation.registerDevice", "a device", Actor.OWNER, gql(REGISTER_DEVICE, device), value("/data/registerDevice", "true")));
        return rows;
    }

    @TestFactory
    Stream<DynamicTest> matrix() {
        return rows().stream().map(row -> DynamicTest.dynamicTest(row.displayName(), () -> {
            final JsonNode response = row.call().run(this, world, world.bearers.get(row.actor()));
            try {
                // Whatever a row expects, a caller never meets an unexplained failure.
                assertThat(StreamSupport.stream(response.path("errors").spliterator(), false).map(AuthorizationMatrixTest::code))
                        .as(response.toString()).doesNotContain("INTERNAL", "UNKNOWN", "");
                row.expected().check().check(world, response);
            } catch (AssertionError e) {
                // Surefire names dynamic tests by index: say which cell failed.
                throw new AssertionError(row.displayName() + "\n" + e.getMessage(), e);
            } finally {
                if (row.undo() != null && !response.has("errors")) {
                    row.undo().run(this, world, response);
                }
            }
        }));
    }

    /** Every root field of the schema has rows, for an anonymous caller and for a signed-in one. */
    @Test
    void everyQueryAndMutationField_hasRows() throws IOException {
        final TypeDefinitionRegistry schema = new TypeDefinitionRegistry();
        for (Resource file : new PathMatchingResourcePatternResolver().getResources("classpath*:schema/**/*.graphqls")) {
            try (Reader reader = new InputStreamReader(file.getInputStream(), StandardCharsets.UTF_8)) {
                schema.merge(new SchemaParser().parse(reader));
            }
        }
        final Set<String> fields = new TreeSet<>();
        for (String root : List.of("Query", "Mutation")) {
            schema.getType(root, ObjectTypeDefinition.class).orElseThrow().getFieldDefinitions()
                  .forEach(field -> fields.add(root + "." + field.getName()));
            schema.objectTypeExtensions().getOrDefault(root, List.of()).forEach(extension -> extension.getFieldDefinitions()
                  .stream().map(FieldDefinition::getName).forEach(name -> fields.add(root + "." + name)));
        }
        assertThat(fields).hasSizeGreaterThanOrEqualTo(25);
        final Map<String, Set<Actor>> actors = rows().stream().collect(Collectors.groupingBy(Row::field,
                Collectors.mapping(Row::actor, Collectors.toSet())));
        assertThat(actors.keySet()).as("rows for fields the schema does not have").isSubsetOf(fields);
        final List<String> missing = fields.stream().filter(field -> !actors.containsKey(field)
                || !actors.get(field).contains(Actor.ANONYMOUS)
                || actors.get(field).stream().noneMatch(actor -> actor != Actor.ANONYMOUS && actor != Actor.STALE)).toList();
        assertThat(missing).as("root fields without an anonymous row and a signed-in row in rows()").isEmpty();
    }

    // =============================================================================================== row helpers

    private static Row row(String field, String what, Actor actor, Call call, Expect expected) {
        return new Row(field, what, actor, call, expected, null);
    }

    private static Call gql(String document, Function<World, Map<String, Object>> variables) {
        return (t, w, bearer) -> t.http().graphql(document, variables.apply(w), bearer);
    }

    private static Undo undo(String document, Function<World, Map<String, Object>> variables, Actor as) {
        return (t, w, response) -> ok(t.http().graphql(document, variables.apply(w), w.bearers.get(as)));
    }

    private static Call popular() {
        return (t, w, bearer) -> allPopular(t.http(), bearer);
    }

    /**
     * Every page of the popular ranking as one response (the first page's error, if any): photos of other tests in
     * the same JVM may rank above ours, and a hidden photo must be absent from the whole ranking, not from one page.
     */
    private static JsonNode allPopular(GatewayClient client, String bearer) {
        final ObjectNode all = new ObjectMapper().createObjectNode();
        final ArrayNode edges = all.putObject("data").putObject("popular").putArray("edges");
        String after = null;
        for (int page = 0; page < 20; page++) {
            final Map<String, Object> variables = new HashMap<>();
            variables.put("after", after);
            final JsonNode response = client.graphql(POPULAR, variables, bearer);
            if (response.has("errors")) {
                return response;
            }
            response.at("/data/popular/edges").forEach(edges::add);
            if (!response.at("/data/popular/pageInfo/hasNextPage").asBoolean()) {
                return all;
            }
            after = response.at("/data/popular/pageInfo/endCursor").asText();
        }
        throw new AssertionError("the popular ranking has more than 20 pages");
    }

    private static Call upload() {
        return (t, w, bearer) -> GatewayClient.json(t.http().upload(UPLOAD, Map.of("caption", "mine"),
                RealStack.photo(64, 48, Color.ORANGE), "mine.png", "image/png", bearer));
    }

    /** {@code author} comments on P, then the row's actor deletes that comment. */
    private static Call deleteFreshComment(Actor author) {
        return (t, w, bearer) -> {
            final String id = ok(t.http().graphql(ADD_COMMENT, Map.of("id", w.photo, "text", "brief"), w.bearers.get(author)))
                    .at("/data/addComment/id").asText();
            return t.http().graphql(DELETE_COMMENT, Map.of("id", id), bearer);
        };
    }

    private static Expect data(String text, Check check) {
        return new Expect(text, (w, r) -> {
            assertNoErrors(r);
            check.check(w, r);
        });
    }

    /** No error, and {@code field} (a root field) is null: the product hides it. */
    private static Expect isNull(String field) {
        return data("null", (w, r) -> {
            assertThat(r.path("data").has(field)).as(r.toString()).isTrue();
            assertThat(r.path("data").path(field).isNull()).as(r.toString()).isTrue();
        });
    }

    /** The first error is {@code code} at {@code path} (dotted); a non-null root's failure nulls {@code data}. */
    private static Expect error(String code, String path) {
        return new Expect(code, (w, r) -> {
            assertThat(r.path("errors").size()).as(r.toString()).isPositive();
            final JsonNode error = r.path("errors").get(0);
            assertThat(code(error)).as(r.toString()).isEqualTo(code);
            assertThat(StreamSupport.stream(error.path("path").spliterator(), false).map(JsonNode::asText)
                                    .collect(Collectors.joining("."))).as(r.toString()).isEqualTo(path);
        });
    }

    private static Expect value(String pointer, String expected) {
        return data(expected, (w, r) -> assertThat(r.at(pointer).asText()).as(r.toString()).isEqualTo(expected));
    }

    private static Expect value(String pointer, Function<World, String> expected) {
        return data("them", (w, r) -> assertThat(r.at(pointer).asText()).as(r.toString()).isEqualTo(expected.apply(w)));
    }

    /** Exactly these node IDs in the connection at {@code pointer} (none: an empty connection). */
    @SafeVarargs
    private static Expect ids(String pointer, Function<World, String>... expected) {
        return data(expected.length == 0 ? "empty" : expected.length + " of ours", (w, r) -> assertThat(nodeIds(r.at(pointer)))
                .as(r.toString()).containsExactlyInAnyOrderElementsOf(Stream.of(expected).map(e -> e.apply(w)).toList()));
    }

    @SafeVarargs
    private static Expect containsIds(String pointer, Function<World, String>... expected) {
        return data("has ours", (w, r) -> assertThat(nodeIds(r.at(pointer)))
                .as(r.toString()).containsAll(Stream.of(expected).map(e -> e.apply(w)).toList()));
    }

    @SafeVarargs
    private static Expect lacksIds(String pointer, Function<World, String>... hidden) {
        return data("none of ours", (w, r) -> {
            assertThat(r.at(pointer).isMissingNode()).as(r.toString()).isFalse();
            assertThat(nodeIds(r.at(pointer))).as(r.toString()).doesNotContainAnyElementsOf(Stream.of(hidden).map(e -> e.apply(w)).toList());
        });
    }

    private static Expect containsAndLacks(String pointer, Function<World, String> shown, Function<World, String> hidden) {
        return data("P, not Q", (w, r) -> assertThat(nodeIds(r.at(pointer))).as(r.toString())
                .contains(shown.apply(w)).doesNotContain(hidden.apply(w)));
    }

    /** The user at {@code data.user}: {@code who}, and whether the viewer follows them. */
    private static Expect user(Actor who, boolean viewerFollows) {
        return data(viewerFollows ? "them, followed" : "them", (w, r) -> {
            assertThat(r.at("/data/user/id").asText()).as(r.toString()).isEqualTo(w.id(who));
            assertThat(r.at("/data/user/isPrivate").asBoolean()).isEqualTo(who == Actor.PRIVATE);
            assertThat(r.at("/data/user/viewerFollows").asBoolean()).isEqualTo(viewerFollows);
        });
    }

    private static Expect found(Actor who, boolean found) {
        return data(found ? "found" : "not found", (w, r) -> {
            final List<String> ids = texts(r.at("/data/searchUsers"), "id");
            if (found) {
                assertThat(ids).as(r.toString()).contains(w.id(who));
            } else {
                assertThat(ids).as(r.toString()).doesNotContain(w.id(who));
            }
        });
    }

    /** P with its counts, FOLLOWER's like and comment, and whether the viewer likes it. */
    private static Expect publicPhoto(boolean viewerHasLiked) {
        return data(viewerHasLiked ? "P, liked" : "P", (w, r) -> {
            final JsonNode media = r.at("/data/media");
            assertThat(media.path("id").asText()).as(r.toString()).isEqualTo(w.photo);
            assertThat(media.at("/owner/id").asText()).isEqualTo(w.id(Actor.OWNER));
            assertThat(media.path("likeCount").asInt()).isEqualTo(1);
            assertThat(media.path("commentCount").asInt()).isEqualTo(1);
            assertThat(media.path("viewerHasLiked").asBoolean()).isEqualTo(viewerHasLiked);
            assertThat(nodeIds(media.path("comments"))).containsExactly(w.followerComment);
            assertThat(nodeIds(media.path("likers"))).containsExactly(w.id(Actor.FOLLOWER));
        });
    }

    private static Expect liked(String field, int likeCount, boolean viewerHasLiked) {
        return data(likeCount + (viewerHasLiked ? " likes, liked" : " likes, not liked"), (w, r) -> {
            assertThat(r.at("/data/" + field + "/likeCount").asInt()).as(r.toString()).isEqualTo(likeCount);
            assertThat(r.at("/data/" + field + "/viewerHasLiked").asBoolean()).isEqualTo(viewerHasLiked);
        });
    }

    // =============================================================================================== plumbing

    GatewayClient http() {
        return gateway == null ? new GatewayClient(port) : gateway;
    }

    private GatewayClient clientFrom(String localAddress) {
        try {
            return new GatewayClient(port, InetAddress.getByName(localAddress));
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String upload(GatewayClient client, Actor who, String caption, String place, double lat) {
        return upload(client, who, world, caption, place, lat);
    }

    private static String upload(GatewayClient client, Actor who, World world, String caption, String place, double lat) {
        final Map<String, Object> variables = new HashMap<>();
        variables.put("caption", caption);
        if (place != null) {
            variables.put("location", Map.of("name", place, "lat", lat, "lng", LNG));
        }
        final JsonNode posted = GatewayClient.json(client.upload(UPLOAD, variables, RealStack.photo(320, 240, Color.MAGENTA),
                                                                 "photo.png", "image/png", world.bearers.get(who)));
        return ok(posted).at("/data/uploadMedia/id").asText();
    }

    private void awaitIds(GatewayClient client, String query, Map<String, Object> variables, Actor who, String pointer,
                          String... expected) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            final JsonNode response = client.graphql(query, variables, world.bearers.get(who));
            assertNoErrors(response);
            assertThat(nodeIds(response.at(pointer))).contains(expected);
        });
    }

    private void awaitActivity(GatewayClient client, Actor who, String... kinds) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            final JsonNode response = client.graphql(ACTIVITY, world.bearers.get(who));
            assertNoErrors(response);
            assertThat(nodes(response.at("/data/activity"))).extracting(item -> item.path("kind").asText()).contains(kinds);
        });
    }

    private static Map<String, Object> signUpInput(String username) {
        return Map.of("username", username, "email", username + "@example.com", "password", RealIdentity.PASSWORD,
                      "fullName", "");
    }

    private static JsonNode ok(JsonNode response) {
        assertNoErrors(response);
        return response;
    }

    private static void assertNoErrors(JsonNode response) {
        assertThat(response.has("errors")).as(response.toString()).isFalse();
    }

    private static String code(JsonNode error) {
        return error.path("extensions").path("code").asText();
    }

    private static List<JsonNode> nodes(JsonNode connection) {
        return StreamSupport.stream(connection.path("edges").spliterator(), false).map(edge -> edge.path("node")).toList();
    }

    private static List<String> nodeIds(JsonNode connection) {
        return nodes(connection).stream().map(node -> node.path("id").asText()).toList();
    }

    private static List<String> authors(JsonNode comments) {
        return nodes(comments).stream().map(node -> node.at("/author/id").asText()).toList();
    }

    private static List<String> texts(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(item -> item.path(field).asText()).toList();
    }
}
