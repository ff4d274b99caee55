package io.pinhole.gateway.user;

import com.netflix.graphql.dgs.DgsDataLoader;
import graphql.GraphQLContext;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.identity.IdentityClient;
import io.pinhole.identity.v1.Relationship;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.dataloader.BatchLoaderEnvironment;
import org.dataloader.MappedBatchLoaderWithContext;

/**
 * The viewer's relationship to users by ID, batched: every {@code viewerFollows}/{@code followsViewer} of one query
 * level shares one GetRelationships call (both fields of one user share one key). Only for signed-in requests;
 * unknown users and the viewer themself are absent (no relationship).
 */
@DgsDataLoader(name = RelationshipDataLoader.NAME, maxBatchSize = IdentityClient.MAX_BATCH)
public class RelationshipDataLoader implements MappedBatchLoaderWithContext<Long, Relationship> {

    public static final String NAME = "relationships";

    private final IdentityClient identity;

    public RelationshipDataLoader(IdentityClient identity) {
        this.identity = identity;
    }

    @Override
    public CompletionStage<Map<Long, Relationship>> load(Set<Long> ids, BatchLoaderEnvironment env) {
        return identity.getRelationships(ViewerContext.from(env.<GraphQLContext>getContext()), ids);
    }
}
