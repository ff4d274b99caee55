package io.pinhole.gateway.user;

import com.netflix.graphql.dgs.DgsComponent;
import com.netflix.graphql.dgs.DgsData;
import com.netflix.graphql.dgs.DgsDataFetchingEnvironment;
import com.netflix.graphql.dgs.InputArgument;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.identity.IdentityClient;
import io.pinhole.gateway.model.User;
import io.pinhole.gateway.model.UserConnection;
import io.pinhole.gateway.model.UserEdge;
import io.pinhole.gateway.schema.Arguments;
import io.pinhole.identity.v1.Relationship;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.dataloader.DataLoader;

/**
 * The {@code User} fields beyond identity's user record: the viewer's relationship to the user
 * ({@link RelationshipDataLoader}) and the follow lists as Relay connections, whose nodes are hydrated by
 * {@code UserConnection.edges} through {@link UserDataLoader}.
 */
@DgsComponent
public class UserRelationsDataFetcher {

    private final IdentityClient identity;

    public UserRelationsDataFetcher(IdentityClient identity) {
        this.identity = identity;
    }

    /** Whether the viewer follows the user (accepted); false for anonymous requests and for the viewer themself. */
    @DgsData(parentType = "User", field = "viewerFollows")
    public CompletableFuture<Boolean> viewerFollows(DgsDataFetchingEnvironment env) {
        return relationship(env, Relationship::getFollowing);
    }

    /** Whether the user follows the viewer (accepted); false for anonymous requests and for the viewer themself. */
    @DgsData(parentType = "User", field = "followsViewer")
    public CompletableFuture<Boolean> followsViewer(DgsDataFetchingEnvironment env) {
        return relationship(env, Relationship::getFollowedBy);
    }

    private static CompletableFuture<Boolean> relationship(DgsDataFetchingEnvironment env, Predicate<Relationship> flag) {
        final OptionalLong viewerId = ViewerContext.from(env).viewerId();
        final long userId = idOf(env.getSource());
        if (viewerId.isEmpty() || viewerId.getAsLong() == userId) {
            return CompletableFuture.completedFuture(false);
        }
        final DataLoader<Long, Relationship> relationships = env.getDataLoader(RelationshipDataLoader.class);
        return relationships.load(userId).thenApply(relationship -> relationship != null && flag.test(relationship));
    }

    /**
     * Who follows the user, most recent first. FORBIDDEN for a private account the viewer neither is nor follows.
     * {@code first} 1–50 (default 20); {@code after} is a cursor from this connection's {@code pageInfo.endCursor}.
     */
    @DgsData(parentType = "User", field = "followers")
    public CompletableFuture<UserConnection> followers(@InputArgument Integer first, @InputArgument String after,
                                                       DgsDataFetchingEnvironment env) {
        return identity.listFollowers(ViewerContext.from(env), idOf(env.getSource()), Arguments.first(first), after);
    }

    /** Whom the user follows, most recent first; as {@link #followers}. */
    @DgsData(parentType = "User", field = "following")
    public CompletableFuture<UserConnection> following(@InputArgument Integer first, @InputArgument String after,
                                                       DgsDataFetchingEnvironment env) {
        return identity.listFollowing(ViewerContext.from(env), idOf(env.getSource()), Arguments.first(first), after);
    }

    /**
     * The edges of a page: its user IDs hydrated through {@link UserDataLoader}, so that every connection of one
     * query level shares one GetUsers call. A user GetUsers no longer returns (deleted, or blocked the viewer since
     * the page was read) is left out rather than failing the page; every edge carries the page's cursor.
     */
    @DgsData(parentType = "UserConnection", field = "edges")
    public CompletableFuture<List<UserEdge>> edges(DgsDataFetchingEnvironment env) {
        final UserConnection connection = env.getSource();
        final DataLoader<Long, User> users = env.getDataLoader(UserDataLoader.class);
        return users.loadMany(connection.userIds()).thenApply(found -> found.stream()
                .filter(Objects::nonNull)
                .map(user -> new UserEdge(connection.cursor(), user))
                .toList());
    }

    private static long idOf(User user) {
        return Long.parseLong(user.id()); // identity's own ID, always a decimal long
    }
}
