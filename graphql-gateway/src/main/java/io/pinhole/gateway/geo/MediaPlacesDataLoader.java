package io.pinhole.gateway.geo;

import com.netflix.graphql.dgs.DgsDataLoader;
import graphql.GraphQLContext;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.model.Location;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.dataloader.BatchLoaderEnvironment;
import org.dataloader.MappedBatchLoaderWithContext;

/** The places of media, batched: every {@code Media.location} of a level is one GetMediaPlaces call. */
@DgsDataLoader(name = MediaPlacesDataLoader.NAME, maxBatchSize = GeoClient.MAX_BATCH)
public class MediaPlacesDataLoader implements MappedBatchLoaderWithContext<Long, Location> {

    public static final String NAME = "mediaPlaces";

    private final GeoClient geo;

    public MediaPlacesDataLoader(GeoClient geo) {
        this.geo = geo;
    }

    @Override
    public CompletionStage<Map<Long, Location>> load(Set<Long> mediaIds, BatchLoaderEnvironment env) {
        return geo.mediaPlaces(ViewerContext.from(env.<GraphQLContext>getContext()), mediaIds);
    }
}
