package io.pinhole.gateway.media;

import com.netflix.graphql.dgs.DgsDataLoader;
import graphql.GraphQLContext;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.model.MediaConnection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.dataloader.BatchLoaderEnvironment;
import org.dataloader.MappedBatchLoaderWithContext;

/**
 * The first page of users' media (their grids), batched: every {@code User.media(first: n)} without {@code after}
 * at one query level shares one BatchListUserMedia call. Users the service leaves out (unknown, blocking, private to
 * the viewer) are absent; the fetcher then asks ListUserMedia, whose error says which (FORBIDDEN, NOT_FOUND).
 */
@DgsDataLoader(name = UserMediaDataLoader.NAME, maxBatchSize = MediaClient.MAX_BATCH)
public class UserMediaDataLoader implements MappedBatchLoaderWithContext<FirstPage, MediaConnection> {

    public static final String NAME = "userMedia";

    private final MediaClient media;

    public UserMediaDataLoader(MediaClient media) {
        this.media = media;
    }

    @Override
    public CompletionStage<Map<FirstPage, MediaConnection>> load(Set<FirstPage> keys, BatchLoaderEnvironment env) {
        final ViewerContext viewer = ViewerContext.from(env.<GraphQLContext>getContext());
        return FirstPage.load(keys, (ids, limit) -> media.batchListUserMedia(viewer, ids, limit));
    }
}
