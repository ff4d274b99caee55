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
 * Users by lower-cased username, batched into one GetUsersByUsername call per query level (several
 * {@code user(username:)} fields under aliases share it). Unknown or malformed names and users who block the viewer
 * are absent, and resolve to null.
 */
@DgsDataLoader(name = UsernameDataLoader.NAME, maxBatchSize = IdentityClient.MAX_BATCH)
public class UsernameDataLoader implements MappedBatchLoaderWithContext<String, User> {

    public static final String NAME = "usersByUsername";

    private final IdentityClient identity;

    public UsernameDataLoader(IdentityClient identity) {
        this.identity = identity;
    }

    /** Keys must be lower-cased ({@code Locale.ROOT}): identity answers under the lower-cased name. */
    @Override
    public CompletionStage<Map<String, User>> load(Set<String> usernames, BatchLoaderEnvironment env) {
        return identity.getUsersByUsername(ViewerContext.from(env.<GraphQLContext>getContext()), usernames);
    }
}
