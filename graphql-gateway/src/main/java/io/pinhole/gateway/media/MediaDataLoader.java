package io.pinhole.gateway.media;

import com.netflix.graphql.dgs.DgsDataLoader;
import graphql.GraphQLContext;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.model.Media;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.dataloader.BatchLoaderEnvironment;
import org.dataloader.MappedBatchLoaderWithContext;

/**
 * Media by ID, batched: every media a request needs at one level of the query is fetched with one GetMedia call
 * (each ID once; more than {@value MediaClient#MAX_BATCH} are split). Unknown, deleted and invisible media are absent
 * and resolve to null. Feed and popular pages come with their media and prime this loader instead.
 */
@DgsDataLoader(name = MediaDataLoader.NAME, maxBatchSize = MediaClient.MAX_BATCH)
public class MediaDataLoader implements MappedBatchLoaderWithContext<Long, Media> {

    public static final String NAME = "media";

    private final MediaClient media;

    public MediaDataLoader(MediaClient media) {
        this.media = media;
    }

    @Override
    public CompletionStage<Map<Long, Media>> load(Set<Long> ids, BatchLoaderEnvironment env) {
        return media.getMedia(ViewerContext.from(env.<GraphQLContext>getContext()), ids);
    }
}
