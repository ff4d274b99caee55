package io.pinhole.gateway.user;

import com.netflix.graphql.dgs.DgsComponent;
import com.netflix.graphql.dgs.DgsDataFetchingEnvironment;
import com.netflix.graphql.dgs.DgsQuery;
import com.netflix.graphql.dgs.InputArgument;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.identity.IdentityClient;
import io.pinhole.gateway.model.User;
import io.pinhole.gateway.schema.Arguments;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.dataloader.DataLoader;

/** Query fields that return users. */
@DgsComponent
public class UserDataFetcher {

    private final IdentityClient identity;

    public UserDataFetcher(IdentityClient identity) {
        this.identity = identity;
    }

    /** The signed-in user; null for anonymous requests. A bad token fails this field only (UNAUTHENTICATED). */
    @DgsQuery
    public CompletableFuture<User> viewer(DgsDataFetchingEnvironment env) {
        final OptionalLong viewerId = ViewerContext.from(env).viewerId();
        if (viewerId.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        final DataLoader<Long, User> users = env.getDataLoader(UserDataLoader.class);
        return users.load(viewerId.getAsLong());
    }

    /**
     * A user by username, case-insensitive (through {@link UsernameDataLoader}: aliased lookups share one call);
     * null when there is none or they block the viewer.
     *
     * <p>The user is deliberately not primed into {@link UserDataLoader}: a user served from the request's cache
     * resolves at once, its subtree runs ahead of its query level, and the next level's batch (GetRelationships)
     * would be split in two. Fetching it again inside the level's one GetUsers costs nothing extra.
     */
    @DgsQuery
    public CompletableFuture<User> user(@InputArgument String username, DgsDataFetchingEnvironment env) {
        final DataLoader<String, User> byUsername = env.getDataLoader(UsernameDataLoader.class);
        return byUsername.load(username.toLowerCase(Locale.ROOT));
    }

    /** Typeahead over usernames and full names, best first; {@code first} 1–50, default 20. */
    @DgsQuery
    public CompletableFuture<List<User>> searchUsers(@InputArgument String query, @InputArgument Integer first,
                                                     DgsDataFetchingEnvironment env) {
        return identity.searchUsers(ViewerContext.from(env), query, Arguments.first(first));
    }
}
