package io.pinhole.gateway.user;

import com.netflix.graphql.dgs.DgsDataLoader;
import graphql.GraphQLContext;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.identity.IdentityClient;
import io.pinhole.gateway.model.User;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.dataloader.BatchLoaderEnvironment;
import org.dataloader.MappedBatchLoaderWithContext;

/**
 * Users by ID, batched: every user a request needs at one level of the query is fetched with one GetUsers call
 * (and each ID once; more than {@value IdentityClient#MAX_BATCH} IDs are split into several calls). IDs identity
 * does not know are absent, and their fields resolve to null.
 */
@DgsDataLoader(name = UserDataLoader.NAME, maxBatchSize = IdentityClient.MAX_BATCH)
public class UserDataLoader implements MappedBatchLoaderWithContext<Long, User> {

    public static final String NAME = "users";

    private final IdentityClient identity;

    public UserDataLoader(IdentityClient identity) {
        this.identity = identity;
    }

    @Override
    public CompletionStage<Map<Long, User>> load(Set<Long> ids, BatchLoaderEnvironment env) {
        return identity.getUsers(ViewerContext.from(env.<GraphQLContext>getContext()), ids);
    }
}
