package io.pinhole.geo;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.common.v1.PageResponse;
import io.pinhole.geo.v1.GeoServiceGrpc;
import io.pinhole.geo.v1.GetMediaPlacesRequest;
import io.pinhole.geo.v1.GetMediaPlacesResponse;
import io.pinhole.geo.v1.GetPlacesRequest;
import io.pinhole.geo.v1.GetPlacesResponse;
import io.pinhole.geo.v1.ListLocationMediaRequest;
import io.pinhole.geo.v1.ListLocationMediaResponse;
import io.pinhole.geo.v1.NearbyMedia;
import io.pinhole.geo.v1.NearbyOrder;
import io.pinhole.geo.v1.Place;
import io.pinhole.geo.v1.SearchLocationsRequest;
import io.pinhole.geo.v1.SearchLocationsResponse;
import io.pinhole.geo.v1.SearchNearbyRequest;
import io.pinhole.geo.v1.SearchNearbyResponse;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.platform.error.PinholeException;
import io.pinhole.platform.page.Pages;
import io.pinhole.platform.server.Viewer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrException;
import org.apache.solr.common.params.CursorMarkParams;

/**
 * {@code pinhole.geo.v1.GeoService}: request checks (every bad field reported at once), then Solr through
 * {@link GeoSearch}, then the viewer's visibility through {@link Visibility}.
 *
 * <p>Media lists page through Solr with cursorMark and drop what the viewer may not see after each Solr page; when a
 * page loses items that way, up to {@value #MAX_SOLR_PAGES} Solr pages are read to fill it, and a short page with a
 * next cursor is what the contract allows (PageResponse).
 */
final class GeoService extends GeoServiceGrpc.GeoServiceImplBase {

    static final double MAX_RADIUS_KM = 50;
    static final double DEFAULT_RADIUS_KM = 1;
    static final int MAX_BATCH = 100;
    static final int DEFAULT_LOCATIONS = 10;
    private static final int MAX_SOLR_PAGES = 3;

    private final GeoSearch search;
    private final IdentityServiceBlockingStub identity;

    GeoService(GeoSearch search, IdentityServiceBlockingStub identity) {
        this.search = requireNonNull(search, "search");
        this.identity = requireNonNull(identity, "identity");
    }

    @Override
    public void searchNearby(SearchNearbyRequest request, StreamObserver<SearchNearbyResponse> response) {
        final PinholeException.Violations violations = PinholeException.invalidArguments();
        checkLat(violations, "lat", request.getLat());
        checkLng(violations, "lng", request.getLng());
        final double radius = request.getRadiusKm();
        violations.addIf(!Double.isFinite(radius) || radius < 0 || radius > MAX_RADIUS_KM, "radius_km",
                         "must be greater than 0 and at most 50 km (0 means 1 km)");
        violations.addIf(request.getOrder() == NearbyOrder.UNRECOGNIZED, "order", "unknown order");
        final int limit = checkLimit(violations, request.getPage());
        final GeoSearch.Order order = request.getOrder() == NearbyOrder.NEARBY_ORDER_DISTANCE
                ? GeoSearch.Order.DISTANCE : GeoSearch.Order.RECENT;
        final double radiusKm = radius == 0 ? DEFAULT_RADIUS_KM : radius;
        final byte[] scope = Cursors.scope("SearchNearby", request.getLat(), request.getLng(), radiusKm, order);
        final Optional<String> mark = checkCursor(violations, request.getPage(), scope);
        violations.throwIfAny();

        final OptionalLong viewer = Viewer.current();
        final Filled filled = fill(limit, mark, viewer, (solrMark, rows) -> search.nearby(
                request.getLat(), request.getLng(), radiusKm, order, viewer.isEmpty(), solrMark, rows));
        final SearchNearbyResponse.Builder answer = SearchNearbyResponse.newBuilder();
        filled.hits().forEach(hit -> answer.addMedia(NearbyMedia.newBuilder().setMediaId(hit.mediaId())
                                                                 .setDistanceKm(hit.distanceKm())));
        answer.setPage(nextPage(filled, scope));
        response.onNext(answer.build());
        response.onCompleted();
    }

    @Override
    public void searchLocations(SearchLocationsRequest request, StreamObserver<SearchLocationsResponse> response) {
        final PinholeException.Violations violations = PinholeException.invalidArguments();
        final String text = request.getQuery().strip();
        violations.addIf(text.isEmpty(), "query", "is required");
        violations.addIf(text.codePointCount(0, text.length()) > 100, "query", "must be at most 100 characters");
        violations.addIf(request.hasNearLat() && !request.hasNearLng(), "near_lng", "set both near_lat and near_lng or neither");
        violations.addIf(request.hasNearLng() && !request.hasNearLat(), "near_lat", "set both near_lat and near_lng or neither");
        if (request.hasNearLat()) {
            checkLat(violations, "near_lat", request.getNearLat());
        }
        if (request.hasNearLng()) {
            checkLng(violations, "near_lng", request.getNearLng());
        }
        violations.addIf(request.getLimit() < 0 || request.getLimit() > Pages.MAX_LIMIT, "limit",
                         "must be between 1 and " + Pages.MAX_LIMIT + " (0 means " + DEFAULT_LOCATIONS + ")");
        violations.throwIfAny();
        final int limit = request.getLimit() == 0 ? DEFAULT_LOCATIONS : request.getLimit();

        final SearchLocationsResponse.Builder answer = SearchLocationsResponse.newBuilder();
        if (request.hasNearLat() && request.hasNearLng()) {
            final List<SolrDocument> places = search.placesNear(text, request.getNearLat(), request.getNearLng(), limit);
            final Map<Long, Long> counts = search.mediaCounts(places.stream().map(GeoService::placeId).toList());
            places.forEach(doc -> answer.addPlaces(place(doc, counts.getOrDefault(placeId(doc), 0L))));
        } else {
            final Map<Long, Long> counts = search.mostUsedPlaces(text, limit);
            final Map<Long, SolrDocument> places = search.places(counts.keySet());
            counts.forEach((id, count) -> {
                final SolrDocument doc = places.get(id);
                if (doc != null) {
                    answer.addPlaces(place(doc, count));
                }
            });
        }
        response.onNext(answer.build());
        response.onCompleted();
    }

    @Override
    public void listLocationMedia(ListLocationMediaRequest request, StreamObserver<ListLocationMediaResponse> response) {
        final PinholeException.Violations violations = PinholeException.invalidArguments();
        violations.addIf(request.getPlaceId() <= 0, "place_id", "is required");
        final int limit = checkLimit(violations, request.getPage());
        final byte[] scope = Cursors.scope("ListLocationMedia", request.getPlaceId());
        final Optional<String> mark = checkCursor(violations, request.getPage(), scope);
        violations.throwIfAny();
        if (search.places(List.of(request.getPlaceId())).isEmpty()) {
            throw PinholeException.notFound("no place " + request.getPlaceId());
        }

        final OptionalLong viewer = Viewer.current();
        final Filled filled = fill(limit, mark, viewer,
                (solrMark, rows) -> search.placeMedia(request.getPlaceId(), viewer.isEmpty(), solrMark, rows));
        response.onNext(ListLocationMediaResponse.newBuilder()
                .addAllMediaIds(filled.hits().stream().map(GeoSearch.Hit::mediaId).toList())
                .setPage(nextPage(filled, scope)).build());
        response.onCompleted();
    }

    @Override
    public void getPlaces(GetPlacesRequest request, StreamObserver<GetPlacesResponse> response) {
        if (request.getPlaceIdsCount() > MAX_BATCH) {
            throw PinholeException.invalidArgument("place_ids", "at most " + MAX_BATCH + " IDs");
        }
        final Set<Long> ids = new LinkedHashSet<>(request.getPlaceIdsList());
        final Map<Long, SolrDocument> places = search.places(ids);
        final Map<Long, Long> counts = search.mediaCounts(places.keySet());
        final GetPlacesResponse.Builder answer = GetPlacesResponse.newBuilder();
        places.forEach((id, doc) -> answer.putPlaces(id, place(doc, counts.getOrDefault(id, 0L))));
        response.onNext(answer.build());
        response.onCompleted();
    }

    @Override
    public void getMediaPlaces(GetMediaPlacesRequest request, StreamObserver<GetMediaPlacesResponse> response) {
        if (request.getMediaIdsCount() > MAX_BATCH) {
            throw PinholeException.invalidArgument("media_ids", "at most " + MAX_BATCH + " IDs");
        }
        final Map<Long, Long> placeOf = search.placeOfMedia(new LinkedHashSet<>(request.getMediaIdsList()));
        final Map<Long, SolrDocument> places = search.places(new LinkedHashSet<>(placeOf.values()));
        final Map<Long, Long> counts = search.mediaCounts(places.keySet());
        final GetMediaPlacesResponse.Builder answer = GetMediaPlacesResponse.newBuilder();
        placeOf.forEach((media, placeId) -> {
            final SolrDocument doc = places.get(placeId);
            if (doc != null) {
                answer.putPlaces(media, place(doc, counts.getOrDefault(placeId, 0L)));
            }
        });
        response.onNext(answer.build());
        response.onCompleted();
    }

    private record Filled(List<GeoSearch.Hit> hits, String nextMark, boolean exhausted) {}

    /**
     * Up to {@code limit} visible hits, reading Solr pages of the size still missing from {@code mark} on, at most
     * {@value #MAX_SOLR_PAGES} of them, so that the page ends exactly at a Solr cursorMark.
     */
    private Filled fill(int limit, Optional<String> start, OptionalLong viewer,
                        BiFunction<String, Integer, GeoSearch.Page> fetch) {
        final Visibility visibility = new Visibility(identity, viewer);
        final List<GeoSearch.Hit> hits = new ArrayList<>();
        String mark = start.orElse(CursorMarkParams.CURSOR_MARK_START);
        for (int round = 0; round < MAX_SOLR_PAGES && hits.size() < limit; round++) {
            final GeoSearch.Page page;
            try {
                page = fetch.apply(mark, limit - hits.size());
            } catch (SolrException e) {
                if (round == 0 && start.isPresent()) {
                    throw Cursors.malformed(); // Solr could not read the cursorMark inside a well-formed cursor
                }
                throw e;
            }
            final Set<Long> visible = visibility.visibleOwners(owners(page.hits()));
            page.hits().stream().filter(hit -> visible.contains(hit.ownerId())).forEach(hits::add);
            mark = page.nextMark();
            if (page.exhausted()) {
                return new Filled(hits, mark, true);
            }
        }
        return new Filled(hits, mark, false);
    }

    private static Set<Long> owners(Collection<GeoSearch.Hit> hits) {
        final Set<Long> owners = new LinkedHashSet<>();
        hits.forEach(hit -> owners.add(hit.ownerId()));
        return owners;
    }

    private static PageResponse nextPage(Filled filled, byte[] scope) {
        return PageResponse.newBuilder().setNextCursor(filled.exhausted() ? "" : Cursors.encode(scope, filled.nextMark()))
                           .build();
    }

    private static Place place(SolrDocument doc, long mediaCount) {
        final double[] point = GeoIndex.point(doc);
        return Place.newBuilder().setId(placeId(doc)).setName(String.valueOf(doc.getFieldValue("name")))
                    .setLat(point[0]).setLng(point[1]).setMediaCount(mediaCount).build();
    }

    private static long placeId(SolrDocument doc) {
        return (Long) doc.getFieldValue("place_id");
    }

    private static void checkLat(PinholeException.Violations violations, String field, double lat) {
        violations.addIf(!Double.isFinite(lat) || lat < -90 || lat > 90, field, "must be a latitude from -90 to 90 degrees");
    }

    private static void checkLng(PinholeException.Violations violations, String field, double lng) {
        violations.addIf(!Double.isFinite(lng) || lng < -180 || lng > 180, field,
                         "must be a longitude from -180 to 180 degrees");
    }

    private static int checkLimit(PinholeException.Violations violations, PageRequest page) {
        if (page.getLimit() < 0 || page.getLimit() > Pages.MAX_LIMIT) {
            violations.add("page.limit", "must be between 1 and " + Pages.MAX_LIMIT);
            return Pages.DEFAULT_LIMIT;
        }
        return page.getLimit() == 0 ? Pages.DEFAULT_LIMIT : page.getLimit();
    }

    private static Optional<String> checkCursor(PinholeException.Violations violations, PageRequest page, byte[] scope) {
        try {
            return Cursors.decode(page.getCursor(), scope);
        } catch (PinholeException e) {
            violations.add("page.cursor", e.violations().get(0).getDescription());
            return Optional.empty();
        }
    }
}
