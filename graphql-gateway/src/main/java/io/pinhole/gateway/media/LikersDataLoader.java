package io.pinhole.gateway.media;

import com.netflix.graphql.dgs.DgsDataLoader;
import graphql.GraphQLContext;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.model.UserConnection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.dataloader.BatchLoaderEnvironment;
import org.dataloader.MappedBatchLoaderWithContext;

/**
 * The first page of likers of media, batched: every {@code likers(first: n)} without {@code after} at one query
 * level shares one BatchListLikers call. Media the service leaves out (deleted or invisible since they were read)
 * are absent; the fetcher then asks ListLikers for that media's exact answer.
 */
@DgsDataLoader(name = LikersDataLoader.NAME, maxBatchSize = MediaClient.MAX_BATCH)
public class LikersDataLoader implements MappedBatchLoaderWithContext<FirstPage, UserConnection> {

    public static final String NAME = "likers";

    private final MediaClient media;

    public LikersDataLoader(MediaClient media) {
        this.media = media;
    }

    @Override
    public CompletionStage<Map<FirstPage, UserConnection>> load(Set<FirstPage> keys, BatchLoaderEnvironment env) {
        final ViewerContext viewer = ViewerContext.from(env.<GraphQLContext>getContext());
        return FirstPage.load(keys, (ids, limit) -> media.batchListLikers(viewer, ids, limit));
    }
}
