package io.pinhole.geo;

import static io.pinhole.geo.GeoFixture.anonymous;
import static io.pinhole.geo.GeoFixture.as;
import static io.pinhole.geo.GeoFixture.assertFails;
import static io.pinhole.geo.GeoFixture.newArea;
import static io.pinhole.geo.GeoFixture.newUser;
import static io.pinhole.geo.GeoFixture.offset;
import static io.pinhole.geo.GeoFixture.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.geo.v1.GeoServiceGrpc.GeoServiceBlockingStub;
import io.pinhole.geo.v1.NearbyMedia;
import io.pinhole.geo.v1.NearbyOrder;
import io.pinhole.geo.v1.SearchNearbyRequest;
import io.pinhole.geo.v1.SearchNearbyResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.solr.client.solrj.SolrQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, GeoFixture.class})
class SearchNearbyTest {

    private static final Duration INDEXED = Duration.ofSeconds(20);

    private static SearchNearbyRequest.Builder near(double[] point, double radiusKm, NearbyOrder order) {
        return SearchNearbyRequest.newBuilder().setLat(point[0]).setLng(point[1]).setRadiusKm(radiusKm).setOrder(order);
    }

    private static List<Long> ids(SearchNearbyResponse response) {
        return response.getMediaList().stream().map(NearbyMedia::getMediaId).toList();
    }

    @Test
    void nearby_findsWhatIsWithinTheRadius_andNotWhatIsOutside_inBothOrders() {
        final double[] center = newArea();
        final long owner = newUser("near");
        final long far = post(owner, "", offset(center, 0.9, 0));        // 0.9 km north, posted first
        final long close = post(owner, "", offset(center, 0, 0.3));      // 0.3 km east
        final long outside = post(owner, "", offset(center, 0, -1.2));   // 1.2 km west
        final long wayOutside = post(owner, "", offset(center, 30, 30)); // ~42 km

        await().atMost(INDEXED).untilAsserted(() -> assertThat(ids(anonymous().searchNearby(
                near(center, 50, NearbyOrder.NEARBY_ORDER_RECENT).build()))).hasSize(4));

        final SearchNearbyResponse recent = anonymous().searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build());
        assertThat(ids(recent)).containsExactly(close, far);
        assertThat(recent.getPage().getNextCursor()).isEmpty();

        final SearchNearbyResponse nearest = anonymous().searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_DISTANCE).build());
        assertThat(ids(nearest)).containsExactly(close, far);
        assertThat(nearest.getMedia(0).getDistanceKm()).isCloseTo(0.3, within(0.005));
        assertThat(nearest.getMedia(1).getDistanceKm()).isCloseTo(0.9, within(0.005));

        // Radius 0 means 1 km; unspecified order means newest first.
        assertThat(ids(anonymous().searchNearby(near(center, 0, NearbyOrder.NEARBY_ORDER_UNSPECIFIED).build())))
                .containsExactly(close, far);
        assertThat(ids(anonymous().searchNearby(near(center, 1.3, NearbyOrder.NEARBY_ORDER_DISTANCE).build())))
                .containsExactly(close, far, outside);
        assertThat(ids(anonymous().searchNearby(near(center, 50, NearbyOrder.NEARBY_ORDER_DISTANCE).build())))
                .containsExactly(close, far, outside, wayOutside);
    }

    @Test
    void nearby_pagesWithCursors_withoutRepeatsOrGaps_whileNewMediaArrive() {
        final double[] center = newArea();
        final long owner = newUser("pages");
        final List<Long> posted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            posted.add(post(owner, "", offset(center, 0.1 * (i + 1), 0)));
        }
        await().atMost(INDEXED).untilAsserted(() -> assertThat(ids(anonymous().searchNearby(
                near(center, 2, NearbyOrder.NEARBY_ORDER_RECENT).build()))).hasSize(5));

        for (NearbyOrder order : List.of(NearbyOrder.NEARBY_ORDER_DISTANCE, NearbyOrder.NEARBY_ORDER_RECENT)) {
            final List<Long> seen = new ArrayList<>();
            String cursor = "";
            int pages = 0;
            do {
                final SearchNearbyResponse page = anonymous().searchNearby(near(center, 2, order)
                        .setPage(PageRequest.newBuilder().setLimit(2).setCursor(cursor)).build());
                assertThat(page.getMediaCount()).isLessThanOrEqualTo(2);
                seen.addAll(ids(page));
                cursor = page.getPage().getNextCursor();
                if (pages++ == 0 && order == NearbyOrder.NEARBY_ORDER_RECENT) {
                    post(owner, "", offset(center, 0.05, 0)); // a new head item must not shift the pages
                }
            } while (!cursor.isEmpty());
            assertThat(pages).isEqualTo(3);
            final List<Long> expected = new ArrayList<>(order == NearbyOrder.NEARBY_ORDER_RECENT ? posted.reversed() : posted);
            assertThat(seen).as("order %s", order).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void nearby_hidesPrivateAccounts_fromStrangers_butShowsThemToFollowersAndThemselves() {
        final double[] center = newArea();
        final long owner = newUser("secret");
        final long follower = newUser("friend");
        final long stranger = newUser("stranger");
        GeoFixture.follow(follower, owner);
        final long photo = post(owner, "", center);
        await().atMost(INDEXED).untilAsserted(() -> assertThat(ids(anonymous().searchNearby(
                near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build()))).containsExactly(photo));

        GeoFixture.setPrivate(owner, true);

        // Identity decides at query time: hidden at once for strangers.
        assertThat(ids(as(stranger).searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build()))).isEmpty();
        assertThat(ids(anonymous().searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build()))).isEmpty();
        assertThat(ids(as(follower).searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build()))).containsExactly(photo);
        assertThat(ids(as(owner).searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_DISTANCE).build()))).containsExactly(photo);
        // And the index follows the ProfileUpdated event, so anonymous searches filter in Solr.
        await().atMost(INDEXED).untilAsserted(() -> assertThat(GeoFixture.solr().getById("pinhole_geo_media",
                Long.toString(photo)).getFieldValue("owner_private")).isEqualTo(true));

        // Media posted while private: the same.
        final long later = post(owner, "", offset(center, 0.2, 0));
        await().atMost(INDEXED).untilAsserted(() -> assertThat(ids(as(owner).searchNearby(
                near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build()))).containsExactly(later, photo));
        assertThat(ids(as(stranger).searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build()))).isEmpty();

        GeoFixture.setPrivate(owner, false);
        await().atMost(INDEXED).untilAsserted(() -> assertThat(ids(anonymous().searchNearby(
                near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build()))).containsExactly(later, photo));
    }

    @Test
    void nearby_hidesMedia_betweenBlockedUsers_inBothDirections() {
        final double[] center = newArea();
        final long owner = newUser("blocker");
        final long blocked = newUser("blocked");
        final long other = newUser("other");
        final long photo = post(owner, "", center);
        final long byBlocked = post(blocked, "", offset(center, 0.1, 0));
        await().atMost(INDEXED).untilAsserted(() -> assertThat(ids(anonymous().searchNearby(
                near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build()))).containsExactlyInAnyOrder(photo, byBlocked));

        GeoFixture.block(owner, blocked);

        assertThat(ids(as(blocked).searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build()))).containsExactly(byBlocked);
        assertThat(ids(as(owner).searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build()))).containsExactly(photo);
        assertThat(ids(as(other).searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build())))
                .containsExactlyInAnyOrder(photo, byBlocked);
    }

    @Test
    void nearby_neverShowsDeletedMedia() throws Exception {
        final double[] center = newArea();
        final long owner = newUser("deleter");
        final long kept = post(owner, "", center);
        final long deleted = post(owner, "", offset(center, 0.1, 0));
        await().atMost(INDEXED).untilAsserted(() -> assertThat(ids(anonymous().searchNearby(
                near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build()))).containsExactly(deleted, kept));

        GeoFixture.delete(owner, deleted);

        await().atMost(INDEXED).untilAsserted(() -> assertThat(ids(as(owner).searchNearby(
                near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build()))).containsExactly(kept));
        assertThat(GeoFixture.solr().query("pinhole_geo_media", new SolrQuery("media_id:" + deleted)).getResults())
                .singleElement().satisfies(doc -> {
                    assertThat(doc.getFieldValue("deleted")).isEqualTo(true);
                    assertThat(doc.getFieldValue("location")).isNull();
                });
    }

    @Test
    void nearby_refusesBadInput_withTheFieldsNamed() {
        final GeoServiceBlockingStub geo = anonymous();
        assertFails(Status.Code.INVALID_ARGUMENT, () -> geo.searchNearby(SearchNearbyRequest.newBuilder().setLat(90.5).build()), "lat");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> geo.searchNearby(SearchNearbyRequest.newBuilder().setLat(-91).build()), "lat");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> geo.searchNearby(SearchNearbyRequest.newBuilder().setLng(180.01).build()), "lng");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> geo.searchNearby(SearchNearbyRequest.newBuilder().setLat(Double.NaN)
                .setLng(Double.POSITIVE_INFINITY).build()), "lat", "lng");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> geo.searchNearby(SearchNearbyRequest.newBuilder().setRadiusKm(-1).build()), "radius_km");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> geo.searchNearby(SearchNearbyRequest.newBuilder().setRadiusKm(50.001).build()), "radius_km");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> geo.searchNearby(SearchNearbyRequest.newBuilder().setRadiusKm(Double.NaN).build()), "radius_km");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> geo.searchNearby(SearchNearbyRequest.newBuilder().setOrderValue(7).build()), "order");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> geo.searchNearby(SearchNearbyRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setLimit(51)).build()), "page.limit");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> geo.searchNearby(SearchNearbyRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setLimit(-1)).build()), "page.limit");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> geo.searchNearby(SearchNearbyRequest.newBuilder()
                .setPage(PageRequest.newBuilder().setCursor("not a cursor!")).build()), "page.cursor");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> geo.searchNearby(SearchNearbyRequest.newBuilder().setLat(100).setLng(200)
                .setRadiusKm(60).setPage(PageRequest.newBuilder().setLimit(99)).build()), "lat", "lng", "radius_km", "page.limit");
        assertThat(geo.searchNearby(SearchNearbyRequest.newBuilder().setLat(90).setLng(-180).setRadiusKm(50).build())
                .getMediaList()).isEmpty();
    }

    @Test
    void nearby_refusesACursor_ofOtherParameters_orTamperedWith() {
        final double[] center = newArea();
        final long owner = newUser("cursor");
        for (int i = 0; i < 3; i++) {
            post(owner, "", offset(center, 0.1 * i, 0));
        }
        await().atMost(INDEXED).untilAsserted(() -> assertThat(ids(anonymous().searchNearby(
                near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT).build()))).hasSize(3));
        final String cursor = anonymous().searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT)
                .setPage(PageRequest.newBuilder().setLimit(1)).build()).getPage().getNextCursor();
        assertThat(cursor).isNotEmpty();

        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_DISTANCE)
                .setPage(PageRequest.newBuilder().setCursor(cursor)).build()), "page.cursor");
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().searchNearby(near(center, 2, NearbyOrder.NEARBY_ORDER_RECENT)
                .setPage(PageRequest.newBuilder().setCursor(cursor)).build()), "page.cursor");
        // Same fingerprint, garbage instead of Solr's cursorMark.
        final byte[] scope = Cursors.scope("SearchNearby", center[0], center[1], 1.0, GeoSearch.Order.RECENT);
        assertFails(Status.Code.INVALID_ARGUMENT, () -> anonymous().searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT)
                .setPage(PageRequest.newBuilder().setCursor(Cursors.encode(scope, "%%garbage"))).build()), "page.cursor");
        assertThat(anonymous().searchNearby(near(center, 1, NearbyOrder.NEARBY_ORDER_RECENT)
                .setPage(PageRequest.newBuilder().setLimit(1).setCursor(cursor)).build()).getMediaCount()).isEqualTo(1);
    }

    @Test
    void service_reportsServing() {
        assertThat(GeoFixture.health()).isEqualTo(ServingStatus.SERVING);
    }
}
