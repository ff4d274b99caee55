package io.pinhole.gateway.media;

import com.netflix.graphql.dgs.DgsDataLoader;
import graphql.GraphQLContext;
import io.pinhole.gateway.auth.ViewerContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.dataloader.BatchLoaderEnvironment;
import org.dataloader.MappedBatchLoaderWithContext;

/**
 * Whether the viewer likes media by ID, batched into one GetViewerLikes per query level. Only for signed-in
 * requests (anonymous ones answer false without a call); {@code like}/{@code unlike} prime it with their answer.
 */
@DgsDataLoader(name = ViewerLikesDataLoader.NAME, maxBatchSize = MediaClient.MAX_BATCH)
public class ViewerLikesDataLoader implements MappedBatchLoaderWithContext<Long, Boolean> {

    public static final String NAME = "viewerLikes";

    private final MediaClient media;

    public ViewerLikesDataLoader(MediaClient media) {
        this.media = media;
    }

    @Override
    public CompletionStage<Map<Long, Boolean>> load(Set<Long> ids, BatchLoaderEnvironment env) {
        return media.getViewerLikes(ViewerContext.from(env.<GraphQLContext>getContext()), ids).thenApply(liked -> {
            final Map<Long, Boolean> answer = new HashMap<>();
            ids.forEach(id -> answer.put(id, liked.contains(id)));
            return answer;
        });
    }
}
