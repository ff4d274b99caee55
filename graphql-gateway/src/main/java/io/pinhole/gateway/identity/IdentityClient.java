package io.pinhole.gateway.identity;

import static io.pinhole.gateway.client.Grpc.count;
import static io.pinhole.gateway.client.Grpc.emptyToNull;
import static io.pinhole.gateway.client.Grpc.page;
import static io.pinhole.gateway.client.Grpc.toCompletable;
import static java.util.Objects.requireNonNull;

import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.error.ErrorCode;
import io.pinhole.gateway.error.GatewayException;
import io.pinhole.gateway.model.AuthPayload;
import io.pinhole.gateway.model.PageInfo;
import io.pinhole.gateway.model.User;
import io.pinhole.gateway.model.UserConnection;
import io.pinhole.identity.v1.AuthenticateRequest;
import io.pinhole.identity.v1.BlockRequest;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.identity.v1.GetRelationshipsRequest;
import io.pinhole.identity.v1.GetUsersByUsernameRequest;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceFutureStub;
import io.pinhole.identity.v1.ListFollowersRequest;
import io.pinhole.identity.v1.ListFollowingRequest;
import io.pinhole.identity.v1.LogInRequest;
import io.pinhole.identity.v1.LogOutRequest;
import io.pinhole.identity.v1.Relationship;
import io.pinhole.identity.v1.SearchUsersRequest;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.identity.v1.UnblockRequest;
import io.pinhole.identity.v1.UnfollowRequest;
import io.pinhole.identity.v1.UpdateProfileRequest;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.springframework.stereotype.Component;

/**
 * svc-identity as the gateway uses it, through the one stub of {@code GatewayConfiguration} (platform
 * {@code ServiceClients}: deadline, circuit breaker named {@code svc-identity}). Calls that act for the viewer go
 * through {@link ViewerContext#stub}; the calls that need no viewer (SignUp, LogIn, LogOut) go without one, so that
 * a stale token in the request never stands in the way of signing in again.
 *
 * <p>Every method but {@link #authenticate} is asynchronous: gRPC failures complete the future exceptionally and
 * {@link io.pinhole.gateway.error.GraphQlErrors} maps them.
 */
@Component
public class IdentityClient {

    /** GetUsers, GetUsersByUsername and GetRelationships take at most this many IDs or names (identity.proto). */
    public static final int MAX_BATCH = 100;

    private final IdentityServiceFutureStub stub;

    public IdentityClient(IdentityServiceFutureStub identityStub) {
        this.stub = requireNonNull(identityStub, "identityStub");
    }

    /**
     * The user a session token belongs to. Blocks the calling thread (the request thread, before execution).
     *
     * @throws io.grpc.StatusRuntimeException UNAUTHENTICATED for an unknown or expired token, UNAVAILABLE when
     *         identity cannot answer
     */
    public long authenticate(String token) {
        requireNonNull(token, "token");
        try {
            final var response = stub.authenticate(AuthenticateRequest.newBuilder().setToken(token).build()).get();
            return response.getUserId();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorCode.UNAVAILABLE, "interrupted while asking svc-identity");
        }
    }

    /**
     * The users with {@code ids} (at most {@value #MAX_BATCH}), as {@code viewer} may see them; IDs identity does
     * not know and users who block the viewer are absent.
     */
    public CompletableFuture<Map<Long, User>> getUsers(ViewerContext viewer, Set<Long> ids) {
        final var request = GetUsersRequest.newBuilder().addAllUserIds(ids).build();
        return toCompletable(viewer.stub(stub).getUsers(request)).thenApply(response -> {
            final Map<Long, User> users = new HashMap<>();
            response.getUsersMap().forEach((id, user) -> users.put(id, toGraphQl(user)));
            return users;
        });
    }

    /**
     * The users with {@code usernames} (at most {@value #MAX_BATCH}), keyed by lower-cased username; unknown or
     * malformed names and users who block the viewer are absent.
     */
    public CompletableFuture<Map<String, User>> getUsersByUsername(ViewerContext viewer, Collection<String> usernames) {
        final var request = GetUsersByUsernameRequest.newBuilder().addAllUsernames(usernames).build();
        return toCompletable(viewer.stub(stub).getUsersByUsername(request)).thenApply(response -> {
            final Map<String, User> users = new HashMap<>();
            response.getUsersMap().forEach((name, user) -> users.put(name, toGraphQl(user)));
            return users;
        });
    }

    /** Typeahead: at most {@code limit} (1–50) users, best first. */
    public CompletableFuture<List<User>> searchUsers(ViewerContext viewer, String query, int limit) {
        final var request = SearchUsersRequest.newBuilder().setQuery(query).setLimit(limit).build();
        return toCompletable(viewer.stub(stub).searchUsers(request))
                .thenApply(response -> response.getUsersList().stream().map(IdentityClient::toGraphQl).toList());
    }

    /** Creates an account and its first session; {@code clientAddress} ("" when unknown) counts for rate limits. */
    public CompletableFuture<AuthPayload> signUp(String username, String email, String password, String fullName,
                                                 String clientAddress) {
        final var request = SignUpRequest.newBuilder().setUsername(username).setEmail(email).setPassword(password)
                                         .setFullName(fullName).setClientAddress(clientAddress).build();
        return toCompletable(stub.signUp(request))
                .thenApply(response -> new AuthPayload(response.getToken(), toGraphQl(response.getUser())));
    }

    /** Opens a session; {@code clientAddress} ("" when unknown) counts for rate limits. */
    public CompletableFuture<AuthPayload> logIn(String username, String password, String clientAddress) {
        final var request = LogInRequest.newBuilder().setUsername(username).setPassword(password)
                                        .setClientAddress(clientAddress).build();
        return toCompletable(stub.logIn(request))
                .thenApply(response -> new AuthPayload(response.getToken(), toGraphQl(response.getUser())));
    }

    /** Revokes the session of {@code token}; true when a live session ended. */
    public CompletableFuture<Boolean> logOut(String token) {
        return toCompletable(stub.logOut(LogOutRequest.newBuilder().setToken(token).build()))
                .thenApply(response -> response.getRevoked());
    }

    /** Changes the viewer's profile (only the fields present in {@code request}); the viewer after the change. */
    public CompletableFuture<User> updateProfile(ViewerContext viewer, UpdateProfileRequest request) {
        return toCompletable(viewer.stub(stub).updateProfile(request)).thenApply(response -> toGraphQl(response.getUser()));
    }

    /** The viewer follows (or asks to follow) {@code userId}; the user after the change. */
    public CompletableFuture<User> follow(ViewerContext viewer, long userId) {
        return toCompletable(viewer.stub(stub).follow(FollowRequest.newBuilder().setUserId(userId).build()))
                .thenApply(response -> toGraphQl(response.getUser()));
    }

    /** The viewer stops following {@code userId} (or withdraws a request); the user after the change. */
    public CompletableFuture<User> unfollow(ViewerContext viewer, long userId) {
        return toCompletable(viewer.stub(stub).unfollow(UnfollowRequest.newBuilder().setUserId(userId).build()))
                .thenApply(response -> toGraphQl(response.getUser()));
    }

    /** The viewer blocks {@code userId}; the user after the change. */
    public CompletableFuture<User> block(ViewerContext viewer, long userId) {
        return toCompletable(viewer.stub(stub).block(BlockRequest.newBuilder().setUserId(userId).build()))
                .thenApply(response -> toGraphQl(response.getUser()));
    }

    /** The viewer unblocks {@code userId}; the user after the change. */
    public CompletableFuture<User> unblock(ViewerContext viewer, long userId) {
        return toCompletable(viewer.stub(stub).unblock(UnblockRequest.newBuilder().setUserId(userId).build()))
                .thenApply(response -> toGraphQl(response.getUser()));
    }

    /** One page of {@code userId}'s followers, most recent first: IDs only (hydrate them with {@link #getUsers}). */
    public CompletableFuture<UserConnection> listFollowers(ViewerContext viewer, long userId, int limit, String cursor) {
        final var request = ListFollowersRequest.newBuilder().setUserId(userId).setPage(page(limit, cursor)).build();
        return toCompletable(viewer.stub(stub).listFollowers(request))
                .thenApply(response -> connection(response.getUserIdsList(), response.getPage().getNextCursor()));
    }

    /** One page of whom {@code userId} follows, most recent first: IDs only. */
    public CompletableFuture<UserConnection> listFollowing(ViewerContext viewer, long userId, int limit, String cursor) {
        final var request = ListFollowingRequest.newBuilder().setUserId(userId).setPage(page(limit, cursor)).build();
        return toCompletable(viewer.stub(stub).listFollowing(request))
                .thenApply(response -> connection(response.getUserIdsList(), response.getPage().getNextCursor()));
    }

    /**
     * The viewer's relationship to each of {@code ids} (at most {@value #MAX_BATCH}); unknown IDs and the viewer's
     * own ID are absent.
     */
    public CompletableFuture<Map<Long, Relationship>> getRelationships(ViewerContext viewer, Set<Long> ids) {
        final var request = GetRelationshipsRequest.newBuilder().addAllUserIds(ids).build();
        return toCompletable(viewer.stub(stub).getRelationships(request))
                .thenApply(response -> Map.copyOf(response.getRelationshipsMap()));
    }

    private static UserConnection connection(List<Long> userIds, String nextCursor) {
        return new UserConnection(userIds, nextCursor, PageInfo.ofNextCursor(nextCursor));
    }

    /** Identity's user record as the GraphQL {@code User} (empty strings become null). */
    public static User toGraphQl(io.pinhole.identity.v1.User user) {
        return new User(Long.toString(user.getId()), user.getUsername(), emptyToNull(user.getFullName()),
                        emptyToNull(user.getBio()), emptyToNull(user.getWebsite()), emptyToNull(user.getAvatarUrl()),
                        user.getIsPrivate(), count(user.getFollowerCount()), count(user.getFollowingCount()),
                        count(user.getMediaCount()));
    }
}
