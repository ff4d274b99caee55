package io.pinhole.gateway.geo;

import static io.pinhole.gateway.client.Grpc.page;
import static io.pinhole.gateway.client.Grpc.toCompletable;
import static java.util.Objects.requireNonNull;

import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.model.Location;
import io.pinhole.gateway.model.MediaConnection;
import io.pinhole.geo.v1.GeoServiceGrpc.GeoServiceFutureStub;
import io.pinhole.geo.v1.GetMediaPlacesRequest;
import io.pinhole.geo.v1.NearbyMedia;
import io.pinhole.geo.v1.NearbyOrder;
import io.pinhole.geo.v1.Place;
import io.pinhole.geo.v1.SearchLocationsRequest;
import io.pinhole.geo.v1.SearchNearbyRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;

/**
 * svc-geo as the gateway uses it, through the one stub of {@code GatewayConfiguration} (deadline, circuit breaker
 * {@code svc-geo}), as the viewer: svc-geo answers IDs; media are hydrated by the media DataLoader.
 */
@Component
public class GeoClient {

    /** GetMediaPlaces takes at most 100 media. */
    public static final int MAX_BATCH = 100;

    private final GeoServiceFutureStub stub;

    public GeoClient(GeoServiceFutureStub geoStub) {
        this.stub = requireNonNull(geoStub, "geoStub");
    }

    /** Media taken within {@code radiusKm} of a point, nearest first, as a connection of media IDs. */
    public CompletableFuture<MediaConnection> nearby(ViewerContext viewer, double lat, double lng, double radiusKm,
                                                     int limit, String cursor) {
        final SearchNearbyRequest request = SearchNearbyRequest.newBuilder().setLat(lat).setLng(lng)
                .setRadiusKm(radiusKm).setOrder(NearbyOrder.NEARBY_ORDER_DISTANCE).setPage(page(limit, cursor)).build();
        return toCompletable(viewer.stub(stub).searchNearby(request)).thenApply(response -> MediaConnection.of(
                response.getMediaList().stream().map(NearbyMedia::getMediaId).toList(), response.getPage().getNextCursor()));
    }

    /** Places whose name starts with {@code query}, nearest to the point first when one is given. */
    public CompletableFuture<List<Location>> locations(ViewerContext viewer, String query, Double lat, Double lng, int limit) {
        final SearchLocationsRequest.Builder request = SearchLocationsRequest.newBuilder().setQuery(query).setLimit(limit);
        if (lat != null) {
            request.setNearLat(lat);
        }
        if (lng != null) {
            request.setNearLng(lng);
        }
        return toCompletable(viewer.stub(stub).searchLocations(request.build()))
                .thenApply(response -> response.getPlacesList().stream().map(GeoClient::toGraphQl).toList());
    }

    /** The place of each media that has one (named and indexed); others are absent. */
    public CompletableFuture<Map<Long, Location>> mediaPlaces(ViewerContext viewer, Set<Long> mediaIds) {
        final GetMediaPlacesRequest request = GetMediaPlacesRequest.newBuilder().addAllMediaIds(mediaIds).build();
        return toCompletable(viewer.stub(stub).getMediaPlaces(request)).thenApply(response -> {
            final Map<Long, Location> places = new HashMap<>();
            response.getPlacesMap().forEach((mediaId, place) -> places.put(mediaId, toGraphQl(place)));
            return places;
        });
    }

    static Location toGraphQl(Place place) {
        return new Location(Long.toString(place.getId()), place.getName(), place.getLat(), place.getLng());
    }
}
