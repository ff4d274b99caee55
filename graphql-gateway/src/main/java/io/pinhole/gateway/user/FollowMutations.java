package io.pinhole.gateway.user;

import com.netflix.graphql.dgs.DgsComponent;
import com.netflix.graphql.dgs.DgsDataFetchingEnvironment;
import com.netflix.graphql.dgs.DgsMutation;
import com.netflix.graphql.dgs.InputArgument;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.identity.IdentityClient;
import io.pinhole.gateway.model.User;
import io.pinhole.gateway.schema.Arguments;
import java.util.concurrent.CompletableFuture;

/**
 * The follow graph: {@code follow}, {@code unfollow}, {@code block}, {@code unblock}. Each needs a signed-in viewer
 * (UNAUTHENTICATED otherwise), takes the other user's ID (BAD_USER_INPUT, field {@code userId}, when malformed) and
 * returns that user after the change. Identity's errors map as usual: NOT_FOUND for an unknown user or one who
 * blocks the viewer, BAD_USER_INPUT for the viewer themself, FORBIDDEN to follow someone the viewer blocks.
 */
@DgsComponent
public class FollowMutations {

    private static final String USER_ID = "userId";

    private final IdentityClient identity;

    public FollowMutations(IdentityClient identity) {
        this.identity = identity;
    }

    @DgsMutation
    public CompletableFuture<User> follow(@InputArgument String userId, DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = signedIn(env);
        return identity.follow(viewer, Arguments.id(userId, USER_ID));
    }

    @DgsMutation
    public CompletableFuture<User> unfollow(@InputArgument String userId, DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = signedIn(env);
        return identity.unfollow(viewer, Arguments.id(userId, USER_ID));
    }

    @DgsMutation
    public CompletableFuture<User> block(@InputArgument String userId, DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = signedIn(env);
        return identity.block(viewer, Arguments.id(userId, USER_ID));
    }

    @DgsMutation
    public CompletableFuture<User> unblock(@InputArgument String userId, DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = signedIn(env);
        return identity.unblock(viewer, Arguments.id(userId, USER_ID));
    }

    private static ViewerContext signedIn(DgsDataFetchingEnvironment env) {
        final ViewerContext viewer = ViewerContext.from(env);
        viewer.requireViewerId();
        return viewer;
    }
}
