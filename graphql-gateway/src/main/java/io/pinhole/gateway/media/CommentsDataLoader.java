package io.pinhole.gateway.media;

import com.netflix.graphql.dgs.DgsDataLoader;
import graphql.GraphQLContext;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.model.CommentConnection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.dataloader.BatchLoaderEnvironment;
import org.dataloader.MappedBatchLoaderWithContext;

/**
 * The first page of comments (oldest first) of media, batched: every {@code comments(first: n)} without
 * {@code after} at one query level shares one BatchListComments call. Absent media: as {@link LikersDataLoader}.
 */
@DgsDataLoader(name = CommentsDataLoader.NAME, maxBatchSize = MediaClient.MAX_BATCH)
public class CommentsDataLoader implements MappedBatchLoaderWithContext<FirstPage, CommentConnection> {

    public static final String NAME = "comments";

    private final MediaClient media;

    public CommentsDataLoader(MediaClient media) {
        this.media = media;
    }

    @Override
    public CompletionStage<Map<FirstPage, CommentConnection>> load(Set<FirstPage> keys, BatchLoaderEnvironment env) {
        final ViewerContext viewer = ViewerContext.from(env.<GraphQLContext>getContext());
        return FirstPage.load(keys, (ids, limit) -> media.batchListComments(viewer, ids, limit));
    }
}
