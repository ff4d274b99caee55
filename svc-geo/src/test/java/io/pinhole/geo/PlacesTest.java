package io.pinhole.geo;

import static io.pinhole.geo.GeoFixture.anonymous;
import static io.pinhole.geo.GeoFixture.as;
import static io.pinhole.geo.GeoFixture.assertFails;
import static io.pinhole.geo.GeoFixture.newArea;
import static io.pinhole.geo.GeoFixture.newUser;
import static io.pinhole.geo.GeoFixture.offset;
import static io.pinhole.geo.GeoFixture.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.geo.v1.GetMediaPlacesRequest;
import io.pinhole.geo.v1.GetPlacesRequest;
import io.pinhole.geo.v1.ListLocationMediaRequest;
import io.pinhole.geo.v1.ListLocationMediaResponse;
import io.pinhole.geo.v1.Place;
import io.pinhole.geo.v1.SearchLocationsRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, GeoFixture.class})
class PlacesTest {

    private static final Duration INDEXED = Duration.ofSeconds(20);

    private static Map<Long, Place> placesOf(long... mediaIds) {
        return anonymous().getMediaPlaces(GetMediaPlacesRequest.newBuilder()
                .addAllMediaIds(LongStream.of(mediaIds).boxed().toList()).build()).getPlacesMap();
    }

    private static List<String> names(SearchLocationsRequest request) {
        return anonymous().searchLocations(request).getPlacesList().stream().map(Place::getName).toList();
    }

    private static SearchLocationsRequest.Builder typeahead(String query, double[] near) {
        final SearchLocationsRequest.Builder request = SearchLocationsRequest.newBuilder().setQuery(query);
        return near == null ? request : request.setNearLat(near[0]).setNearLng(near[1]);
    }

    @Test
    void places_areDeduplicated_byNormalizedName_andProximity() {
        final double[] center = newArea();
        final long owner = newUser("placer");
        final long first = post(owner, "Café Lünå", center);
        final long sameSpot = post(owner, "  cafe   LUNA ", offset(center, 0.04, 0.03));  // 50 m away
        final long elsewhere = post(owner, "Café Lünå", offset(center, 0.5, 0));       // 500 m away: another one
        final long otherName = post(owner, "Café Sol", offset(center, 0.01, 0));        // 10 m away, other name
        final long unnamed = post(owner, "", offset(center, 0.02, 0));

        await().atMost(INDEXED).untilAsserted(() -> assertThat(placesOf(first, sameSpot, elsewhere, otherName)).hasSize(4));
        final Map<Long, Place> places = placesOf(first, sameSpot, elsewhere, otherName, unnamed);
        assertThat(places).doesNotContainKey(unnamed);
        assertThat(places.get(sameSpot).getId()).isEqualTo(places.get(first).getId());
        assertThat(places.get(first).getName()).isEqualTo("Café Lünå"); // as first posted
        assertThat(places.get(elsewhere).getId()).isNotEqualTo(places.get(first).getId());
        assertThat(places.get(otherName).getId()).isNotIn(places.get(first).getId(), places.get(elsewhere).getId());

        await().atMost(INDEXED).untilAsserted(() -> assertThat(anonymous().getPlaces(GetPlacesRequest.newBuilder()
                .addPlaceIds(places.get(first).getId()).build()).getPlacesOrThrow(places.get(first).getId()).getMediaCount())
                .isEqualTo(2));
        final Place place = places.get(first);
        assertThat(place.getLat()).isEqualTo(center[0]);
        assertThat(place.getLng()).isEqualTo(center[1]);
    }

    @Test
    void searchLocations_matchesPrefixesOfWords_caseAndAccentInsensitive_nearestOrMostUsedFirst() {
        final double[] center = newArea();
        final long owner = newUser("typeahead");
        post(owner, "Zürichsee Ufer", offset(center, 3, 0));
        post(owner, "Zurichberg Wald", offset(center, 1, 0));
        post(owner, "Zurichberg Wald", offset(center, 1, 0.01));
        post(owner, "Zurichberg Wald", offset(center, 1, 0.02));
        post(owner, "Old Zurich Gate", offset(center, 2, 0));
        post(owner, "Bern", center);

        await().atMost(INDEXED).untilAsserted(() -> assertThat(names(typeahead("zur", center).build()))
                .containsExactly("Zurichberg Wald", "Old Zurich Gate", "Zürichsee Ufer"));
        assertThat(names(typeahead("ZÜRICHB", center).build())).containsExactly("Zurichberg Wald");
        assertThat(names(typeahead("old zur", center).build())).containsExactly("Old Zurich Gate");
        assertThat(names(typeahead("zur", center).setLimit(1).build())).containsExactly("Zurichberg Wald");
        assertThat(anonymous().searchLocations(typeahead("zurichberg", null).build()).getPlacesList())
                .singleElement().satisfies(p -> assertThat(p.getMediaCount()).isEqualTo(3));
        // Without a point: most used first (this test's places; other tests' names differ).
        assertThat(names(typeahead("zurichberg w", null).build())).containsExactly("Zurichberg Wald");
        assertThat(names(typeahead("urich", center).build())).isEmpty(); // a prefix, not a substring
    }

    @Test
    void searchLocations_treatsQuerySyntax_asText() {
        final double[] center = newArea();
        final long owner = newUser("syntax");
        post(owner, "Rock & Roll (Bar) [1]", center);
        post(owner, "Andes Lookout", offset(center, 0.5, 0));
        post(owner, "Ornament Shop", offset(center, 0.9, 0));
        await().atMost(INDEXED).untilAsserted(() -> assertThat(names(typeahead("rock", center).build())).hasSize(1));
        await().atMost(INDEXED).untilAsserted(() -> assertThat(names(typeahead("ornament", center).build())).hasSize(1));
        await().atMost(INDEXED).untilAsserted(() -> assertThat(names(typeahead("andes", center).build())).hasSize(1));

        assertThat(names(typeahead("Rock & Roll (B", center).build())).containsExactly("Rock & Roll (Bar) [1]");
        assertThat(names(typeahead("AND", center).build())).containsExactly("Andes Lookout");  // a word, not an operator
        assertThat(names(typeahead("OR", center).build())).containsExactly("Ornament Shop");
        for (String syntax : List.of("*:*", "*", "name:*", "rock OR *:*", "rock AND NOT roll", "\"rock", "rock\\",
                                     "{!func}1", "[* TO *]", "place_id:[0 TO *]", "(", "roll~2", "ro?k", "+rock -roll",
                                     "rock)", "_query_:\"{!lucene}*:*\"", "/.*/", "&&", "||", "!rock")) {
            final List<String> found = names(typeahead(syntax, center).setLimit(50).build());
            // Only what the words of the text, taken literally, match as prefixes.
            assertThat(found).as("query %s", syntax).isSubsetOf("Rock & Roll (Bar) [1]");
            assertThat(names(typeahead(syntax, null).setLimit(50).build())).as("query %s", syntax)
                    .isSubsetOf("Rock & Roll (Bar) [1]");
        }
        assertThat(names(typeahead("*:*", center).build())).isEmpty();
        assertThat(names(typeahead("rock OR *:*", center).build())).isEmpty();
        assertThat(names(typeahead("rock AND NOT roll", center).build())).isEmpty();
        assertThat(names(typeahead("rock roll bar 1", center).build())).containsExactly("Rock & Roll (Bar) [1]");
    }

    @Test
    void listLocationMedia_pagesNewestFirst_withoutWhatTheViewerMayNotSee() {
        final double[] center = newArea();
        final long owner = newUser("venue");
        final long hidden = newUser("hidden");
        final long viewer = newUser("visitor");
        final List<Long> posted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            posted.add(post(owner, "Tiny Venue", offset(center, 0.001 * i, 0)));
        }
        GeoFixture.setPrivate(hidden, true);
        final long secret = post(hidden, "Tiny Venue", center);
        await().atMost(INDEXED).untilAsserted(() -> assertThat(placesOf(posted.get(0), posted.get(2), secret)).hasSize(3));
        final long placeId = placesOf(posted.get(0)).get(posted.get(0)).getId();
        assertThat(placesOf(secret).get(secret).getId()).isEqualTo(placeId);
        await().atMost(INDEXED).untilAsserted(() -> assertThat(anonymous().getPlaces(GetPlacesRequest.newBuilder()
                .addPlaceIds(placeId).build()).getPlacesOrThrow(placeId).getMediaCount()).isEqualTo(4)); // counted, not listed

        final List<Long> seen = new ArrayList<>();
        String cursor = "";
        do {
            final ListLocationMediaResponse page = as(viewer).listLocationMedia(ListLocationMediaRequest.newBuilder()
                    .setPlaceId(placeId).setPage(PageRequest.newBuilder().setLimit(2).setCursor(cursor)).build());
            seen.addAll(page.getMediaIdsList());
            cursor = page.getPage().getNextCursor();
        } while (!cursor.isEmpty());
        assertThat(seen).containsExactlyElementsOf(posted.reversed());
        assertThat(as(hidden).listLocationMedia(ListLocationMediaRequest.newBuilder().setPlaceId(placeId).build())
                .getMediaIdsList()).containsExactly(secret, posted.get(2), posted.get(1), posted.get(0));

        GeoFixture.delete(owner, posted.get(1));
        await().atMost(INDEXED).untilAsserted(() -> assertThat(anonymous().listLocationMedia(ListLocationMediaRequest
                .newBuilder().setPlaceId(placeId).build()).getMediaIdsList()).containsExactly(posted.get(2), posted.get(0)));
        assertThat(anonymous().getPlaces(GetPlacesRequest.newBuilder().addPlaceIds(placeId).build())
                .getPlacesOrThrow(placeId).getMediaCount()).isEqualTo(3);
        assertThat(placesOf(posted.get(1))).isEmpty();
    }

    @Test
    void placeRpcs_refuseBadInput_andAnswerNotFound_forUnknownPlaces() {
        assertFails(Status.Code.NOT_FOUND, () -> anonymous().listLocationMedia(ListLocationMediaRequest.newBuilder()
                .setPlaceId(12345).build()));
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().listLocationMedia(ListLocationMediaRequest.newBuilder()
                .setPlaceId(12345).setPage(PageRequest.newBuilder().setLimit(51)).build()), "page.limit");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().listLocationMedia(ListLocationMediaRequest.newBuilder()
                .setPlaceId(12345).setPage(PageRequest.newBuilder().setCursor("AQ")).build()), "page.cursor");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().listLocationMedia(ListLocationMediaRequest.newBuilder()
                .build()), "place_id");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().getPlaces(GetPlacesRequest.newBuilder()
                .addAllPlaceIds(LongStream.rangeClosed(1, 101).boxed().toList()).build()), "place_ids");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().getMediaPlaces(GetMediaPlacesRequest.newBuilder()
                .addAllMediaIds(LongStream.rangeClosed(1, 101).boxed().toList()).build()), "media_ids");
        assertThat(anonymous().getPlaces(GetPlacesRequest.newBuilder()
                .addAllPlaceIds(LongStream.rangeClosed(1, 100).boxed().toList()).build()).getPlacesMap()).isEmpty();

        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().searchLocations(SearchLocationsRequest.newBuilder().build()), "query");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().searchLocations(typeahead("   ", null).build()), "query");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().searchLocations(typeahead("x".repeat(101), null).build()), "query");
        assertThat(anonymous().searchLocations(typeahead("x".repeat(100), null).build()).getPlacesList()).isEmpty();
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().searchLocations(typeahead("a", null).setNearLat(10).build()), "near_lng");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().searchLocations(typeahead("a", null).setNearLng(10).build()), "near_lat");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().searchLocations(typeahead("a", new double[] {91, 181}).build()),
                    "near_lat", "near_lng");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().searchLocations(typeahead("a", null).setLimit(51).build()), "limit");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().searchLocations(SearchLocationsRequest.newBuilder()
                .setLimit(-1).build()), "query", "limit");
    }
}
