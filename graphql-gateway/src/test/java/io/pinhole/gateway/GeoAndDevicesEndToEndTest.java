package io.pinhole.gateway;

import static io.pinhole.gateway.MediaEndToEndTest.assertNoErrors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pinhole.gateway.RealIdentity.Account;
import io.pinhole.geo.v1.GetMediaPlacesRequest;
import io.pinhole.media.v1.GetMediaRequest;
import io.pinhole.media.v1.Location;
import java.awt.Color;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The geo and notify parts of the GraphQL API end to end: a photo posted through the gateway with a location is
 * found by {@code nearby} (through the real svc-geo on Solr) with its {@code location}, the place by the
 * {@code locations} typeahead, and a device is registered with the real svc-notify; bad input names its argument.
 */
class GeoAndDevicesEndToEndTest extends RealIdentityTest {

    static final String UPLOAD = """
            mutation Upload($file: Upload!, $caption: String, $location: LocationInput) {
              uploadMedia(file: $file, caption: $caption, location: $location) { id location { id name } }
            }""";
    static final String NEARBY = """
            query Nearby($lat: Float!, $lng: Float!, $radiusKm: Float, $first: Int) {
              nearby(lat: $lat, lng: $lng, radiusKm: $radiusKm, first: $first) {
                edges { node { id caption owner { username } location { id name lat lng } } }
                pageInfo { hasNextPage }
              }
            }""";
    static final String LOCATIONS = """
            query Locations($query: String!, $lat: Float, $lng: Float) {
              locations(query: $query, lat: $lat, lng: $lng) { id name lat lng }
            }""";
    static final String REGISTER = """
            mutation Register($input: RegisterDeviceInput!) { registerDevice(input: $input) }""";

    @Test
    void aPhotoPostedWithALocation_isNearby_withItsPlace_andThePlaceIsInTheTypeahead() {
        final Account eve = RealIdentity.newAccount("eve");
        final String place = "Miradouro " + eve.username();
        // somewhere no other test posts: the Azores
        final double lat = 37.7412;
        final double lng = -25.6756;
        final HttpResponse<String> posted = gateway.upload(UPLOAD, Map.of("caption", "Blue lakes",
                "location", Map.of("name", place, "lat", lat, "lng", lng)),
                RealStack.photo(640, 480, Color.BLUE), "lakes.png", "image/png", eve.bearer());
        final JsonNode upload = GatewayClient.json(posted);
        assertNoErrors(upload);
        final String mediaId = upload.path("data").path("uploadMedia").path("id").asText();

        final List<JsonNode> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            final JsonNode nearby = gateway.graphql(NEARBY, Map.of("lat", lat + 0.001, "lng", lng, "radiusKm", 1), null);
            assertNoErrors(nearby);
            found.clear();
            nearby.path("data").path("nearby").path("edges").forEach(edge -> found.add(edge.path("node")));
            return found.stream().anyMatch(node -> node.path("id").asText().equals(mediaId)
                                                   && !node.path("location").isNull());
        });
        final JsonNode node = found.stream().filter(n -> n.path("id").asText().equals(mediaId)).findFirst().orElseThrow();
        assertThat(node.path("caption").asText()).isEqualTo("Blue lakes");
        assertThat(node.path("owner").path("username").asText()).isEqualTo(eve.username());
        assertThat(node.path("location").path("name").asText()).isEqualTo(place);
        assertThat(node.path("location").path("lat").asDouble()).isCloseTo(lat, org.assertj.core.data.Offset.offset(1e-6));

        final JsonNode locations = gateway.graphql(LOCATIONS, Map.of("query", "mirad", "lat", lat, "lng", lng), null);
        assertNoErrors(locations);
        assertThat(locations.path("data").path("locations").get(0).path("id").asText())
                .isEqualTo(node.path("location").path("id").asText());

        // far away: not there
        final JsonNode elsewhere = gateway.graphql(NEARBY, Map.of("lat", lat + 1, "lng", lng, "radiusKm", 5), null);
        assertNoErrors(elsewhere);
        assertThat(elsewhere.path("data").path("nearby").path("edges").toString()).doesNotContain(mediaId);
    }

    @Test
    void nearbyPage_makesOneSearchNearby_oneGetMedia_andOneGetMediaPlaces_forAllItsPhotos() {
        final Account fay = RealIdentity.newAccount("fay");
        // Svalbard, 300 m apart: three named places and one photo with coordinates only (no place, no lookup)
        final double lat = 78.2232;
        final double lng = 15.6267;
        final List<Long> named = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            named.add(RealStack.postAt(fay.id(), "named " + i, Location.newBuilder()
                    .setName("Spot " + i + " " + fay.username()).setLat(lat + i * 0.003).setLng(lng).build()).getId());
        }
        final long unnamed = RealStack.postAt(fay.id(), "unnamed", Location.newBuilder()
                .setLat(lat - 0.003).setLng(lng).build()).getId();
        final Set<String> all = Set.of(Long.toString(named.get(0)), Long.toString(named.get(1)),
                                       Long.toString(named.get(2)), Long.toString(unnamed));
        final Map<String, Object> near = Map.of("lat", lat, "lng", lng, "radiusKm", 2, "first", 10);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            final JsonNode nearby = gateway.graphql(NEARBY, near, null);
            assertNoErrors(nearby);
            final List<JsonNode> nodes = new ArrayList<>();
            nearby.path("data").path("nearby").path("edges").forEach(edge -> nodes.add(edge.path("node")));
            assertThat(nodes).extracting(node -> node.path("id").asText()).containsExactlyInAnyOrderElementsOf(all);
            assertThat(nodes).filteredOn(node -> !node.path("location").isNull()).hasSize(3);
        });
        final int mark = BackendCalls.mark();

        final JsonNode nearby = gateway.graphql(NEARBY, near, null);

        assertNoErrors(nearby);
        final JsonNode edges = nearby.path("data").path("nearby").path("edges");
        assertThat(edges.get(0).path("node").path("caption").asText()).isEqualTo("named 0"); // nearest first
        edges.forEach(edge -> {
            final JsonNode node = edge.path("node");
            if (node.path("id").asText().equals(Long.toString(unnamed))) {
                assertThat(node.path("location").isNull()).isTrue();
            } else {
                assertThat(node.path("location").path("name").asText())
                        .isEqualTo("Spot " + node.path("caption").asText().substring("named ".length()) + " " + fay.username());
            }
        });
        assertThat(BackendCalls.since(mark)).extracting(BackendCalls.Call::method)
                .containsExactlyInAnyOrder("SearchNearby", "GetMedia", "GetMediaPlaces");
        assertThat(((GetMediaRequest) BackendCalls.since(mark, "GetMedia").get(0).request()).getMediaIdsList())
                .containsExactlyInAnyOrderElementsOf(all.stream().map(Long::valueOf).toList());
        assertThat(((GetMediaPlacesRequest) BackendCalls.since(mark, "GetMediaPlaces").get(0).request()).getMediaIdsList())
                .containsExactlyInAnyOrderElementsOf(named);
    }

    @Test
    void nearbyAndLocations_badInput_isBadUserInput_namingTheArgument() {
        final JsonNode latitude = gateway.graphql(NEARBY, Map.of("lat", 95, "lng", 0), null);
        assertThat(latitude.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("BAD_USER_INPUT");
        assertThat(latitude.path("errors").get(0).path("extensions").path("fields").get(0).path("field").asText()).isEqualTo("lat");

        final JsonNode radius = gateway.graphql(NEARBY, Map.of("lat", 10, "lng", 10, "radiusKm", 80), null);
        assertThat(radius.path("errors").get(0).path("extensions").path("fields").get(0).path("field").asText())
                .isEqualTo("radiusKm");

        final JsonNode onlyLatitude = gateway.graphql(LOCATIONS, Map.of("query", "par", "lat", 10), null);
        assertThat(onlyLatitude.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("BAD_USER_INPUT");

        // Solr syntax is text: nothing matches, no error
        final JsonNode syntax = gateway.graphql(LOCATIONS, Map.of("query", "*:* OR name:[* TO *]"), null);
        assertNoErrors(syntax);
        assertThat(syntax.path("data").path("locations")).isEmpty();
    }

    @Test
    void registerDevice_registersWithNotify_andBadTokensOrAnonymousAreRefused() {
        final Account dan = RealIdentity.newAccount("dan");
        final Map<String, Object> input = Map.of("platform", "APNS", "token", "a1b2c3d4e5f6" + dan.id(), "locale", "pt-PT");

        final JsonNode registered = gateway.graphql(REGISTER, Map.of("input", input), dan.bearer());
        assertNoErrors(registered);
        assertThat(registered.path("data").path("registerDevice").asBoolean()).isTrue();
        final JsonNode again = gateway.graphql(REGISTER, Map.of("input", input), dan.bearer());
        assertNoErrors(again); // registering again refreshes it

        final JsonNode empty = gateway.graphql(REGISTER, Map.of("input", Map.of("platform", "FCM", "token", "")), dan.bearer());
        assertThat(empty.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("BAD_USER_INPUT");
        assertThat(empty.path("errors").get(0).path("extensions").path("fields").get(0).path("field").asText()).isEqualTo("token");

        final JsonNode anonymous = gateway.graphql(REGISTER, Map.of("input", input), null);
        assertThat(anonymous.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("UNAUTHENTICATED");
    }
}
