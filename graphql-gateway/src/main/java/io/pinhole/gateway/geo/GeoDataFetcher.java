package io.pinhole.gateway.geo;

import com.netflix.graphql.dgs.DgsComponent;
import com.netflix.graphql.dgs.DgsData;
import com.netflix.graphql.dgs.DgsDataFetchingEnvironment;
import com.netflix.graphql.dgs.DgsQuery;
import com.netflix.graphql.dgs.InputArgument;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.model.Location;
import io.pinhole.gateway.model.Media;
import io.pinhole.gateway.model.MediaConnection;
import io.pinhole.gateway.schema.Arguments;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.dataloader.DataLoader;

/**
 * {@code Query.nearby}, {@code Query.locations} and {@code Media.location}, from svc-geo. Nearby pages are media IDs;
 * {@code MediaConnection.edges} hydrates them with one GetMedia per page (the media DataLoader), as for tags and
 * grids. Bad coordinates, radius or query are svc-geo's to judge (BAD_USER_INPUT naming the argument).
 */
@DgsComponent
public class GeoDataFetcher {

    /** {@code radiusKm} when not given. */
    static final double DEFAULT_RADIUS_KM = 1;
    /** {@code first} of {@code locations} when not given. */
    static final int DEFAULT_LOCATIONS = 10;

    private final GeoClient geo;

    public GeoDataFetcher(GeoClient geo) {
        this.geo = geo;
    }

    /** Photos taken within {@code radiusKm} of a point, nearest first; anonymous requests see public photos. */
    @DgsQuery
    public CompletableFuture<MediaConnection> nearby(@InputArgument Double lat, @InputArgument Double lng,
                                                     @InputArgument Double radiusKm, @InputArgument Integer first,
                                                     @InputArgument String after, DgsDataFetchingEnvironment env) {
        return geo.nearby(ViewerContext.from(env), lat, lng, radiusKm == null ? DEFAULT_RADIUS_KM : radiusKm,
                          Arguments.first(first), after);
    }

    /** Places whose name starts with {@code query}; nearest to (lat, lng) first when both are given. */
    @DgsQuery
    public CompletableFuture<List<Location>> locations(@InputArgument String query, @InputArgument Double lat,
                                                       @InputArgument Double lng, @InputArgument Integer first,
                                                       DgsDataFetchingEnvironment env) {
        return geo.locations(ViewerContext.from(env), query, lat, lng,
                             first == null ? DEFAULT_LOCATIONS : Arguments.first(first));
    }

    /**
     * Where a photo was taken, as svc-geo's place (one GetMediaPlaces per level): null for a photo posted without a
     * named location, and for a moment after posting, until svc-geo has indexed it (about a second).
     */
    @DgsData(parentType = "Media", field = "location")
    public CompletableFuture<Location> location(DgsDataFetchingEnvironment env) {
        final Media media = env.getSource();
        if (media.postedLocation() == null || media.postedLocation().name().isBlank()) {
            return CompletableFuture.completedFuture(null);
        }
        final DataLoader<Long, Location> places = env.getDataLoader(MediaPlacesDataLoader.class);
        return places.load(media.idValue());
    }
}
