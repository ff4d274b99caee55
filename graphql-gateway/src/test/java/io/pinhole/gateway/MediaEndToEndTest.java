package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pinhole.feed.v1.GetHomeFeedRequest;
import io.pinhole.gateway.RealIdentity.Account;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.UpdateProfileRequest;
import io.pinhole.media.v1.AddCommentRequest;
import io.pinhole.media.v1.BatchListCommentsRequest;
import io.pinhole.media.v1.BatchListLikersRequest;
import io.pinhole.media.v1.GetViewerLikesRequest;
import io.pinhole.media.v1.LikeRequest;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.UploadMediaRequest;
import java.awt.Color;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The media and feed part of the GraphQL API end to end: real HTTP (multipart uploads included) to the gateway, real
 * gRPC to the real svc-identity, svc-media and svc-feed on devstack's PostgreSQL, Redis, memcached and S3. Set-up
 * that is not under test goes straight to the services over gRPC; what is asserted goes through the gateway.
 */
class MediaEndToEndTest extends RealIdentityTest {

    static final String UPLOAD = """
            mutation Upload($file: Upload!, $caption: String, $location: LocationInput) {
              uploadMedia(file: $file, caption: $caption, location: $location) {
                id caption tags createdAt likeCount commentCount viewerHasLiked
                owner { id username }
                images { thumbnail { url width height } low { url width height } standard { url width height } }
              }
            }""";
    static final String MEDIA = """
            query Media($id: ID!) {
              media(id: $id) {
                id caption likeCount commentCount viewerHasLiked owner { username }
                images { thumbnail { url width height } }
              }
            }""";
    static final String FEED_ITEM = """
            { id caption owner { username } viewerHasLiked likeCount commentCount
              likers(first: 3) { edges { node { username } } pageInfo { hasNextPage } }
              comments(first: 2) { edges { node { text author { username } } } pageInfo { hasNextPage } } }""";

    static final HttpClient http = HttpClient.newHttpClient();

    // --- upload ------------------------------------------------------------------------------------------------

    @Test
    void uploadMedia_multipart_postsThePhotoWithFetchableRenditions() throws Exception {
        final Account ann = RealIdentity.newAccount("ann");
        final int mark = BackendCalls.mark();

        final HttpResponse<String> response = gateway.upload(UPLOAD, Map.of("caption", "Golden hour at the #Beach #sunset"),
                RealStack.photo(1600, 1200, Color.ORANGE), "photo.png", "image/png", ann.bearer());

        assertThat(response.statusCode()).isEqualTo(200);
        final JsonNode body = GatewayClient.json(response);
        assertNoErrors(body);
        final JsonNode media = body.path("data").path("uploadMedia");
        assertThat(media.path("id").asText()).matches("[1-9][0-9]{15,18}");
        assertThat(media.path("caption").asText()).isEqualTo("Golden hour at the #Beach #sunset");
        assertThat(texts(media.path("tags"))).containsExactly("beach", "sunset");
        assertThat(media.path("owner").path("username").asText()).isEqualTo(ann.username());
        assertThat(media.path("likeCount").asInt()).isZero();
        assertThat(media.path("viewerHasLiked").asBoolean()).isFalse();
        assertThat(media.path("createdAt").asText()).endsWith("Z");
        final JsonNode images = media.path("images");
        assertThat(size(images.path("thumbnail"))).containsExactly(150, 150);
        assertThat(size(images.path("low"))).containsExactly(320, 240);
        assertThat(size(images.path("standard"))).containsExactly(1080, 810);
        // The renditions can be fetched (presigned S3 URLs) and are JPEGs.
        final HttpResponse<byte[]> thumbnail = http.send(
                HttpRequest.newBuilder(URI.create(images.path("thumbnail").path("url").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(thumbnail.statusCode()).isEqualTo(200);
        assertThat(thumbnail.body()).startsWith((byte) 0xFF, (byte) 0xD8, (byte) 0xFF);
        // One stream to svc-media, its header first with the caption.
        final List<BackendCalls.Call> uploads = BackendCalls.since(mark, "UploadMedia");
        assertThat(uploads).hasSize(1);
        assertThat(((UploadMediaRequest) uploads.get(0).request()).getHeader().getCaption())
                .isEqualTo("Golden hour at the #Beach #sunset");

        // And it is there for others to see.
        final JsonNode seen = gateway.graphql(MEDIA, Map.of("id", media.path("id").asText()), null);
        assertNoErrors(seen);
        assertThat(seen.path("data").path("media").path("owner").path("username").asText()).isEqualTo(ann.username());
        assertThat(seen.path("data").path("media").path("images").path("thumbnail").path("width").asInt()).isEqualTo(150);
    }

    @Test
    void uploadMedia_notAnImage_isBadUserInput_namingFile() {
        final Account ben = RealIdentity.newAccount("ben");

        final JsonNode body = GatewayClient.json(gateway.upload(UPLOAD, Map.of(), "just some text, not a photo".getBytes(),
                                                                "photo.jpg", "image/jpeg", ben.bearer()));

        final JsonNode error = body.path("errors").get(0);
        assertThat(code(error)).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(error)).containsExactly("file");
        assertThat(body.path("data").isNull()).isTrue(); // uploadMedia is non-null
    }

    @Test
    void uploadMedia_captionTooLong_isBadUserInput_namingCaption() {
        final Account cid = RealIdentity.newAccount("cid");

        final JsonNode body = GatewayClient.json(gateway.upload(UPLOAD, Map.of("caption", "x".repeat(2201)),
                RealStack.photo(200, 200, Color.GREEN), "photo.png", "image/png", cid.bearer()));

        final JsonNode error = body.path("errors").get(0);
        assertThat(code(error)).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(error)).containsExactly("caption");
    }

    @Test
    void uploadMedia_locationOutOfRange_isBadUserInput_namingTheCoordinate() {
        final Account dee = RealIdentity.newAccount("dee");

        final JsonNode body = GatewayClient.json(gateway.upload(UPLOAD,
                Map.of("location", Map.of("name", "Nowhere", "lat", 91.0, "lng", 2.0)),
                RealStack.photo(200, 200, Color.GREEN), "photo.png", "image/png", dee.bearer()));

        final JsonNode error = body.path("errors").get(0);
        assertThat(code(error)).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(error)).containsExactly("location.lat");
    }

    @Test
    void uploadMedia_anonymous_isUnauthenticated_withoutCallingMedia() {
        final int mark = BackendCalls.mark();

        final JsonNode body = GatewayClient.json(gateway.upload(UPLOAD, Map.of(), RealStack.photo(50, 50, Color.RED),
                                                                "photo.png", "image/png", null));

        assertThat(code(body.path("errors").get(0))).isEqualTo("UNAUTHENTICATED");
        assertThat(BackendCalls.since(mark)).isEmpty();
    }

    @Test
    void uploadMedia_overTheLimit_is413_withAGraphQlError_beforeMediaIsCalled() {
        final Account eve = RealIdentity.newAccount("eve");
        final int mark = BackendCalls.mark();

        final HttpResponse<String> response = gateway.upload(UPLOAD, Map.of(), new byte[20 * 1024 * 1024 + 1],
                                                              "huge.jpg", "image/jpeg", eve.bearer());

        assertThat(response.statusCode()).isEqualTo(413);
        final JsonNode error = GatewayClient.json(response).path("errors").get(0);
        assertThat(code(error)).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(error)).containsExactly("file");
        assertThat(BackendCalls.since(mark)).isEmpty();
    }

    // --- media, likes, comments, deletion ----------------------------------------------------------------------

    @Test
    void media_unknownId_isNull_andMalformedId_isBadUserInputWithoutACall() {
        final JsonNode unknown = gateway.graphql(MEDIA, Map.of("id", "8388608"), null);
        assertThat(unknown.path("data").path("media").isNull()).isTrue();
        assertThat(unknown.has("errors")).isFalse();

        final int mark = BackendCalls.mark();
        final JsonNode malformed = gateway.graphql(MEDIA, Map.of("id", "-5"), null);
        assertThat(code(malformed.path("errors").get(0))).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(malformed.path("errors").get(0))).containsExactly("id");
        assertThat(BackendCalls.since(mark)).isEmpty();
    }

    @Test
    void like_andUnlike_changeTheCountAndViewerHasLiked_andAreIdempotent() {
        final Account owner = RealIdentity.newAccount("fay");
        final Account fan = RealIdentity.newAccount("gus");
        final String id = Long.toString(RealStack.post(owner.id(), "like me").getId());
        final String like = "mutation($id: ID!) { like(mediaId: $id) { id likeCount viewerHasLiked } }";
        final String unlike = "mutation($id: ID!) { unlike(mediaId: $id) { id likeCount viewerHasLiked } }";

        final int mark = BackendCalls.mark();
        final JsonNode liked = gateway.graphql(like, Map.of("id", id), fan.bearer());
        assertNoErrors(liked);
        assertThat(liked.path("data").path("like").path("likeCount").asInt()).isEqualTo(1);
        assertThat(liked.path("data").path("like").path("viewerHasLiked").asBoolean()).isTrue();
        assertThat(BackendCalls.since(mark, "GetViewerLikes")).isEmpty(); // known from the like itself
        assertThat(gateway.graphql(like, Map.of("id", id), fan.bearer()).path("data").path("like").path("likeCount").asInt())
                .isEqualTo(1);

        // Seen by the fan, by the owner, and anonymously.
        assertThat(gateway.graphql(MEDIA, Map.of("id", id), fan.bearer()).path("data").path("media").path("viewerHasLiked")
                          .asBoolean()).isTrue();
        assertThat(gateway.graphql(MEDIA, Map.of("id", id), owner.bearer()).path("data").path("media")
                          .path("viewerHasLiked").asBoolean()).isFalse();
        final int anonymousMark = BackendCalls.mark();
        final JsonNode anonymous = gateway.graphql(MEDIA, Map.of("id", id), null);
        assertThat(anonymous.path("data").path("media").path("viewerHasLiked").asBoolean()).isFalse();
        assertThat(anonymous.path("data").path("media").path("likeCount").asInt()).isEqualTo(1);
        assertThat(BackendCalls.since(anonymousMark, "GetViewerLikes")).isEmpty();

        final JsonNode unliked = gateway.graphql(unlike, Map.of("id", id), fan.bearer());
        assertNoErrors(unliked);
        assertThat(unliked.path("data").path("unlike").path("likeCount").asInt()).isZero();
        assertThat(unliked.path("data").path("unlike").path("viewerHasLiked").asBoolean()).isFalse();
        assertThat(gateway.graphql(unlike, Map.of("id", id), fan.bearer()).path("data").path("unlike").path("likeCount")
                          .asInt()).isZero();
    }

    @Test
    void like_errors_unknownIsNotFound_malformedIsBadUserInput_anonymousIsUnauthenticated() {
        final Account hal = RealIdentity.newAccount("hal");
        final String like = "mutation($id: ID!) { like(mediaId: $id) { id } }";

        assertThat(code(gateway.graphql(like, Map.of("id", "8388608"), hal.bearer()).path("errors").get(0)))
                .isEqualTo("NOT_FOUND");
        final int mark = BackendCalls.mark();
        final JsonNode malformed = gateway.graphql(like, Map.of("id", "12x"), hal.bearer());
        assertThat(code(malformed.path("errors").get(0))).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(malformed.path("errors").get(0))).containsExactly("mediaId");
        assertThat(code(gateway.graphql(like, Map.of("id", "123"), null).path("errors").get(0)))
                .isEqualTo("UNAUTHENTICATED");
        assertThat(BackendCalls.since(mark)).isEmpty();
    }

    @Test
    void comments_addListPageAndDelete() {
        final Account owner = RealIdentity.newAccount("ivy");
        final Account talker = RealIdentity.newAccount("jon");
        final Account stranger = RealIdentity.newAccount("kim");
        final String id = Long.toString(RealStack.post(owner.id(), "talk to me").getId());
        final String add = "mutation($id: ID!, $text: String!) { addComment(mediaId: $id, text: $text) "
                           + "{ id text createdAt author { username } } }";
        final List<String> commentIds = new ArrayList<>();
        for (String text : List.of("first!", "second", "third")) {
            final JsonNode added = gateway.graphql(add, Map.of("id", id, "text", text), talker.bearer());
            assertNoErrors(added);
            assertThat(added.path("data").path("addComment").path("author").path("username").asText())
                    .isEqualTo(talker.username());
            commentIds.add(added.path("data").path("addComment").path("id").asText());
        }
        final String page = """
                query($id: ID!, $after: String) { media(id: $id) { commentCount
                  comments(first: 2, after: $after) { edges { cursor node { id text author { username } } }
                                                      pageInfo { hasNextPage endCursor } } } }""";

        final JsonNode first = gateway.graphql(page, Map.of("id", id), stranger.bearer());
        assertNoErrors(first);
        final JsonNode media = first.path("data").path("media");
        assertThat(media.path("commentCount").asInt()).isEqualTo(3);
        assertThat(texts(media.path("comments").path("edges"), "node", "text")).containsExactly("first!", "second");
        assertThat(media.path("comments").path("pageInfo").path("hasNextPage").asBoolean()).isTrue();
        final String after = media.path("comments").path("pageInfo").path("endCursor").asText();
        final JsonNode second = gateway.graphql(page, Map.of("id", id, "after", after), stranger.bearer());
        assertNoErrors(second);
        assertThat(texts(second.path("data").path("media").path("comments").path("edges"), "node", "text"))
                .containsExactly("third");
        assertThat(second.path("data").path("media").path("comments").path("pageInfo").path("hasNextPage").asBoolean())
                .isFalse();

        final String delete = "mutation($id: ID!) { deleteComment(id: $id) }";
        assertThat(code(gateway.graphql(delete, Map.of("id", commentIds.get(0)), stranger.bearer()).path("errors").get(0)))
                .isEqualTo("FORBIDDEN");
        assertThat(gateway.graphql(delete, Map.of("id", commentIds.get(0)), talker.bearer()).path("data")
                          .path("deleteComment").asBoolean()).isTrue();
        assertThat(gateway.graphql(delete, Map.of("id", commentIds.get(0)), talker.bearer()).path("data")
                          .path("deleteComment").asBoolean()).isFalse();
        // The media's owner may delete any comment on it.
        assertThat(gateway.graphql(delete, Map.of("id", commentIds.get(1)), owner.bearer()).path("data")
                          .path("deleteComment").asBoolean()).isTrue();
        final JsonNode after2 = gateway.graphql(page, Map.of("id", id), stranger.bearer());
        assertThat(texts(after2.path("data").path("media").path("comments").path("edges"), "node", "text"))
                .containsExactly("third");
    }

    @Test
    void addComment_blankText_isBadUserInput_namingText_andUnknownMediaIsNotFound() {
        final Account owner = RealIdentity.newAccount("lea");
        final String id = Long.toString(RealStack.post(owner.id(), "").getId());
        final String add = "mutation($id: ID!, $text: String!) { addComment(mediaId: $id, text: $text) { id } }";

        final JsonNode blank = gateway.graphql(add, Map.of("id", id, "text", "   "), owner.bearer());
        assertThat(code(blank.path("errors").get(0))).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(blank.path("errors").get(0))).containsExactly("text");
        assertThat(code(gateway.graphql(add, Map.of("id", "8388608", "text", "hi"), owner.bearer()).path("errors").get(0)))
                .isEqualTo("NOT_FOUND");
    }

    @Test
    void deleteMedia_ownerOnly_thenGoneEverywhere_andIdempotent() {
        final Account owner = RealIdentity.newAccount("max");
        final Account other = RealIdentity.newAccount("ned");
        final String id = Long.toString(RealStack.post(owner.id(), "short-lived").getId());
        final String delete = "mutation($id: ID!) { deleteMedia(id: $id) }";

        assertThat(code(gateway.graphql(delete, Map.of("id", id), other.bearer()).path("errors").get(0)))
                .isEqualTo("FORBIDDEN");
        assertThat(gateway.graphql(delete, Map.of("id", id), owner.bearer()).path("data").path("deleteMedia").asBoolean())
                .isTrue();
        assertThat(gateway.graphql(MEDIA, Map.of("id", id), owner.bearer()).path("data").path("media").isNull()).isTrue();
        assertThat(gateway.graphql(delete, Map.of("id", id), owner.bearer()).path("data").path("deleteMedia").asBoolean())
                .isFalse();
        assertThat(code(gateway.graphql(delete, Map.of("id", "8388608"), owner.bearer()).path("errors").get(0)))
                .isEqualTo("NOT_FOUND");
    }

    @Test
    void privateAccount_mediaIsHiddenFromStrangers_andItsGridIsForbidden() {
        final Account owner = RealIdentity.newAccount("ola");
        RealIdentity.as(owner.id()).updateProfile(UpdateProfileRequest.newBuilder().setIsPrivate(true).build());
        final Account stranger = RealIdentity.newAccount("pia");
        final String id = Long.toString(RealStack.post(owner.id(), "just for friends").getId());

        assertThat(gateway.graphql(MEDIA, Map.of("id", id), stranger.bearer()).path("data").path("media").isNull()).isTrue();
        assertThat(gateway.graphql(MEDIA, Map.of("id", id), owner.bearer()).path("data").path("media").path("id").asText())
                .isEqualTo(id);

        final JsonNode grid = gateway.graphql("query($u: String!) { user(username: $u) { username media { edges { cursor } } } }",
                                              Map.of("u", owner.username()), stranger.bearer());
        assertThat(grid.path("data").path("user").path("username").asText()).isEqualTo(owner.username());
        assertThat(grid.path("data").path("user").path("media").isNull()).isTrue();
        final JsonNode error = grid.path("errors").get(0);
        assertThat(code(error)).isEqualTo("FORBIDDEN");
        assertThat(error.path("path").toString()).isEqualTo("[\"user\",\"media\"]");
    }

    @Test
    void userMedia_isTheGridNewestFirst_pagedWithAfter() {
        final Account owner = RealIdentity.newAccount("quin");
        final List<String> posted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            posted.add(Long.toString(RealStack.post(owner.id(), "grid " + i).getId()));
        }
        final String grid = """
                query($u: String!, $after: String) { user(username: $u) {
                  media(first: 2, after: $after) { edges { node { id caption } } pageInfo { hasNextPage endCursor } } } }""";

        final JsonNode first = gateway.graphql(grid, Map.of("u", owner.username()), null);
        assertNoErrors(first);
        final JsonNode media = first.path("data").path("user").path("media");
        assertThat(texts(media.path("edges"), "node", "id")).containsExactly(posted.get(2), posted.get(1));
        assertThat(media.path("pageInfo").path("hasNextPage").asBoolean()).isTrue();
        final JsonNode second = gateway.graphql(grid, Map.of("u", owner.username(), "after",
                media.path("pageInfo").path("endCursor").asText()), null);
        assertThat(texts(second.path("data").path("user").path("media").path("edges"), "node", "id"))
                .containsExactly(posted.get(0));
    }

    // --- tags, feed, popular, activity -------------------------------------------------------------------------

    @Test
    void tag_countsAndListsItsMedia_unknownIsNull_malformedIsBadUserInput() {
        final Account owner = RealIdentity.newAccount("rex");
        final String tag = "gw" + owner.id();
        final String first = Long.toString(RealStack.post(owner.id(), "one #" + tag).getId());
        final String second = Long.toString(RealStack.post(owner.id(), "two #" + tag.toUpperCase()).getId());
        final String query = "query($t: String!) { tag(name: $t) { name mediaCount media(first: 10) { edges { node { id } } } } }";

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            final JsonNode response = gateway.graphql(query, Map.of("t", "#" + tag.toUpperCase()), null);
            assertNoErrors(response);
            final JsonNode found = response.path("data").path("tag");
            assertThat(found.path("name").asText()).isEqualTo(tag);
            assertThat(found.path("mediaCount").asInt()).isEqualTo(2);
            assertThat(texts(found.path("media").path("edges"), "node", "id")).containsExactly(second, first);
        });
        final JsonNode unknown = gateway.graphql(query, Map.of("t", "nobodyusesthis" + owner.id()), null);
        assertThat(unknown.path("data").path("tag").isNull()).isTrue();
        assertThat(unknown.has("errors")).isFalse();
        final JsonNode malformed = gateway.graphql(query, Map.of("t", "not a tag!"), null);
        assertThat(code(malformed.path("errors").get(0))).isEqualTo("BAD_USER_INPUT");
        assertThat(fields(malformed.path("errors").get(0))).containsExactly("name");
    }

    @Test
    void feed_showsWhatFollowedAccountsPost_afterFanOut_andIsUnauthenticatedAnonymously() {
        final Account reader = RealIdentity.newAccount("sam");
        final Account author = RealIdentity.newAccount("tia");
        assertNoErrors(gateway.graphql("mutation($id: ID!) { follow(userId: $id) { id } }",
                                       Map.of("id", author.idString()), reader.bearer()));
        final JsonNode uploaded = GatewayClient.json(gateway.upload(UPLOAD, Map.of("caption", "for my followers"),
                RealStack.photo(400, 300, Color.BLUE), "photo.png", "image/png", author.bearer()));
        assertNoErrors(uploaded);
        final String id = uploaded.path("data").path("uploadMedia").path("id").asText();
        final String feed = "{ feed(first: 5) { edges { cursor node { id caption owner { username } } } pageInfo { hasNextPage } } }";

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            final JsonNode response = gateway.graphql(feed, reader.bearer());
            assertNoErrors(response);
            final JsonNode edges = response.path("data").path("feed").path("edges");
            assertThat(texts(edges, "node", "id")).containsExactly(id);
            assertThat(edges.get(0).path("node").path("owner").path("username").asText()).isEqualTo(author.username());
            assertThat(edges.get(0).path("node").path("caption").asText()).isEqualTo("for my followers");
        });

        final JsonNode anonymous = gateway.graphql(feed);
        assertThat(code(anonymous.path("errors").get(0))).isEqualTo("UNAUTHENTICATED");
        assertThat(anonymous.path("data").isNull()).isTrue(); // feed is non-null
    }

    @Test
    void popular_ranksALikedPhoto_forAnonymousViewersToo() {
        final Account author = RealIdentity.newAccount("uma");
        final Account fan = RealIdentity.newAccount("val");
        final long id = RealStack.post(author.id(), "rank me").getId();
        RealStack.mediaAs(fan.id()).like(LikeRequest.newBuilder().setMediaId(id).build());
        RealStack.mediaAs(author.id()).addComment(AddCommentRequest.newBuilder().setMediaId(id).setText("thanks").build());

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            final JsonNode response = gateway.graphql(
                    "{ popular(first: 50) { edges { node { id likeCount owner { username } } } } }");
            assertNoErrors(response);
            final List<String> ids = texts(response.path("data").path("popular").path("edges"), "node", "id");
            assertThat(ids).contains(Long.toString(id));
        });
    }

    @Test
    void activity_showsALikeOnTheViewersPhoto_withActorAndMedia() {
        final Account author = RealIdentity.newAccount("wes");
        final Account fan = RealIdentity.newAccount("xia");
        final long id = RealStack.post(author.id(), "like me please").getId();
        assertNoErrors(gateway.graphql("mutation($id: ID!) { like(mediaId: $id) { id } }",
                                       Map.of("id", Long.toString(id)), fan.bearer()));
        final String activity = """
                { activity(first: 10) { edges { cursor node { id kind actorCount createdAt actor { username }
                                                               media { id caption } text } } } }""";

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            final JsonNode response = gateway.graphql(activity, author.bearer());
            assertNoErrors(response);
            final JsonNode edges = response.path("data").path("activity").path("edges");
            assertThat(edges).hasSize(1);
            final JsonNode item = edges.get(0).path("node");
            assertThat(item.path("kind").asText()).isEqualTo("LIKE");
            assertThat(item.path("actorCount").asInt()).isEqualTo(1);
            assertThat(item.path("actor").path("username").asText()).isEqualTo(fan.username());
            assertThat(item.path("media").path("id").asText()).isEqualTo(Long.toString(id));
            assertThat(item.path("text").isNull()).isTrue();
        });
        assertThat(code(gateway.graphql(activity).path("errors").get(0))).isEqualTo("UNAUTHENTICATED");
    }

    // --- batching ----------------------------------------------------------------------------------------------

    @Test
    void feedPage_makesOneCallPerBatchRpc_whateverItsSize() {
        final Account reader = RealIdentity.newAccount("yan");
        final List<Account> owners = List.of(RealIdentity.newAccount("own"), RealIdentity.newAccount("own"),
                                             RealIdentity.newAccount("own"), RealIdentity.newAccount("own"));
        final List<Account> fans = List.of(RealIdentity.newAccount("fan"), RealIdentity.newAccount("fan"),
                                           RealIdentity.newAccount("fan"), RealIdentity.newAccount("fan"));
        final Set<Long> mediaIds = new HashSet<>();
        for (Account owner : owners) {
            RealIdentity.as(reader.id()).follow(FollowRequest.newBuilder().setUserId(owner.id()).build());
            for (int i = 0; i < 5; i++) { // 4 × 5: a page of 20, as issue 9 asks
                final Media posted = RealStack.post(owner.id(), "batch " + i);
                mediaIds.add(posted.getId());
                for (Account fan : fans) {
                    RealStack.mediaAs(fan.id()).like(LikeRequest.newBuilder().setMediaId(posted.getId()).build());
                }
                for (int c = 0; c < 3; c++) {
                    RealStack.mediaAs(fans.get(c).id()).addComment(AddCommentRequest.newBuilder()
                            .setMediaId(posted.getId()).setText("comment " + c).build());
                }
            }
        }
        RealStack.mediaAs(reader.id()).like(LikeRequest.newBuilder().setMediaId(mediaIds.iterator().next()).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> RealStack.feedAs(reader.id())
                .getHomeFeed(GetHomeFeedRequest.getDefaultInstance()).getMediaIdsCount() == 20);
        final int identityMark = IdentityCalls.mark();
        final int backendMark = BackendCalls.mark();

        final JsonNode response = gateway.graphql("{ feed(first: 20) { edges { node " + FEED_ITEM + " } } }",
                                                  reader.bearer());

        assertNoErrors(response);
        final JsonNode edges = response.path("data").path("feed").path("edges");
        assertThat(edges).hasSize(20);
        int liked = 0;
        for (JsonNode edge : edges) {
            final JsonNode node = edge.path("node");
            assertThat(node.path("owner").path("username").asText()).startsWith("own_");
            assertThat(node.path("likers").path("edges")).hasSize(3);
            assertThat(node.path("likers").path("pageInfo").path("hasNextPage").asBoolean()).isTrue();
            assertThat(texts(node.path("comments").path("edges"), "node", "text")).containsExactly("comment 0", "comment 1");
            assertThat(node.path("comments").path("edges").get(0).path("node").path("author").path("username").asText())
                    .isEqualTo(fans.get(0).username());
            liked += node.path("viewerHasLiked").asBoolean() ? 1 : 0;
        }
        assertThat(liked).isEqualTo(1);

        final List<String> backend = BackendCalls.since(backendMark).stream().map(BackendCalls.Call::method).toList();
        assertThat(backend).containsExactlyInAnyOrder("GetHomeFeed", "GetViewerLikes", "BatchListLikers",
                                                      "BatchListComments"); // media and owners came with the page
        assertThat(((GetViewerLikesRequest) BackendCalls.since(backendMark, "GetViewerLikes").get(0).request())
                           .getMediaIdsList()).containsExactlyInAnyOrderElementsOf(mediaIds);
        final var likers = (BatchListLikersRequest) BackendCalls.since(backendMark, "BatchListLikers").get(0).request();
        assertThat(likers.getMediaIdsList()).containsExactlyInAnyOrderElementsOf(mediaIds);
        assertThat(likers.getLimitPerMedia()).isEqualTo(3);
        final var comments = (BatchListCommentsRequest) BackendCalls.since(backendMark, "BatchListComments").get(0).request();
        assertThat(comments.getMediaIdsList()).containsExactlyInAnyOrderElementsOf(mediaIds);
        assertThat(comments.getLimitPerMedia()).isEqualTo(2);
        // Identity: the token once; users (likers, comment authors) at most once per level, each ID once, and never
        // the owners, which came with the page.
        final List<IdentityCalls.Call> identity = IdentityCalls.since(identityMark);
        assertThat(identity.stream().filter(call -> call.method().equals("Authenticate")).count()).isEqualTo(1);
        final List<IdentityCalls.Call> getUsers = IdentityCalls.since(identityMark, "GetUsers");
        assertThat(identity).extracting(IdentityCalls.Call::method).containsOnly("Authenticate", "GetUsers");
        assertThat(getUsers).hasSize(1);
        final List<Long> requested = getUsers.stream()
                .flatMap(call -> ((GetUsersRequest) call.request()).getUserIdsList().stream()).toList();
        final List<Long> people = new ArrayList<>(fans.stream().map(Account::id).toList());
        people.add(reader.id()); // the reader liked one photo: its latest liker
        assertThat(requested).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(people);
    }

    // --- helpers -----------------------------------------------------------------------------------------------

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

    static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    static List<String> texts(JsonNode edges, String node, String field) {
        return StreamSupport.stream(edges.spliterator(), false).map(edge -> edge.path(node).path(field).asText()).toList();
    }

    static List<Integer> size(JsonNode image) {
        return List.of(image.path("width").asInt(), image.path("height").asInt());
    }
}
