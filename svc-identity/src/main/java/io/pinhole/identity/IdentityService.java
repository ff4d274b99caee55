package io.pinhole.identity;

import com.google.protobuf.Timestamp;
import io.grpc.stub.StreamObserver;
import io.pinhole.identity.v1.*;
import io.pinhole.platform.error.PinholeException;
import io.pinhole.platform.server.Viewer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code pinhole.identity.v1.IdentityService}: checks each request's shape and the viewer, then hands the work to
 * {@link Accounts}, {@link Sessions}, {@link Users}, {@link FollowGraph} or {@link UserSearch}.
 */
final class IdentityService extends IdentityServiceGrpc.IdentityServiceImplBase {

    private static final int MAX_BATCH = 100;
    private static final int MAX_QUERY = 30;

    private final Accounts accounts;
    private final Sessions sessions;
    private final Users users;
    private final FollowGraph graph;
    private final UserSearch search;

    IdentityService(Accounts accounts, Sessions sessions, Users users, FollowGraph graph, UserSearch search) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.users = users;
        this.graph = graph;
        this.search = search;
    }

    @Override
    public void signUp(SignUpRequest request, StreamObserver<SignUpResponse> responses) {
        answer(responses, () -> {
            final User user = accounts.signUp(request);
            final Sessions.Session session = sessions.create(user.getId());
            return SignUpResponse.newBuilder().setUser(user).setToken(session.token())
                                 .setExpiresAt(timestamp(session.expiresAt())).build();
        });
    }

    @Override
    public void logIn(LogInRequest request, StreamObserver<LogInResponse> responses) {
        answer(responses, () -> {
            final User user = accounts.logIn(request);
            final Sessions.Session session = sessions.create(user.getId());
            return LogInResponse.newBuilder().setUser(user).setToken(session.token())
                                .setExpiresAt(timestamp(session.expiresAt())).build();
        });
    }

    @Override
    public void logOut(LogOutRequest request, StreamObserver<LogOutResponse> responses) {
        answer(responses, () -> {
            if (request.getToken().isEmpty()) {
                throw PinholeException.invalidArgument("token", "required");
            }
            return LogOutResponse.newBuilder().setRevoked(sessions.revoke(request.getToken())).build();
        });
    }

    @Override
    public void logOutEverywhere(LogOutEverywhereRequest request, StreamObserver<LogOutEverywhereResponse> responses) {
        answer(responses, () -> LogOutEverywhereResponse.newBuilder()
                                                        .setRevokedSessions(sessions.revokeAll(Viewer.require())).build());
    }

    @Override
    public void authenticate(AuthenticateRequest request, StreamObserver<AuthenticateResponse> responses) {
        answer(responses, () -> {
            final Sessions.Session session = Optional.of(request.getToken()).filter(token -> !token.isEmpty())
                    .flatMap(sessions::authenticate)
                    .orElseThrow(() -> PinholeException.unauthenticated("the session is unknown, revoked or expired"));
            return AuthenticateResponse.newBuilder().setUserId(session.userId())
                                       .setExpiresAt(timestamp(session.expiresAt())).build();
        });
    }

    @Override
    public void getUsers(GetUsersRequest request, StreamObserver<GetUsersResponse> responses) {
        answer(responses, () -> {
            requireBatch("user_ids", request.getUserIdsCount());
            return GetUsersResponse.newBuilder().putAllUsers(visibleUsers(request.getUserIdsList())).build();
        });
    }

    @Override
    public void getUsersByUsername(GetUsersByUsernameRequest request, StreamObserver<GetUsersByUsernameResponse> responses) {
        answer(responses, () -> {
            requireBatch("usernames", request.getUsernamesCount());
            final List<String> names = request.getUsernamesList().stream()
                    .map(AccountRules::username).flatMap(Optional::stream).distinct().toList();
            final Map<String, Long> ids = users.idsByUsernames(names);
            final Map<Long, User> found = visibleUsers(ids.values());
            final Map<String, User> byName = new HashMap<>();
            ids.forEach((name, id) -> {
                final User user = found.get(id);
                if (user != null && user.getUsername().equals(name)) {
                    byName.put(name, user);
                    users.cacheUsername(name, id);
                }
            });
            return GetUsersByUsernameResponse.newBuilder().putAllUsers(byName).build();
        });
    }

    @Override
    public void updateProfile(UpdateProfileRequest request, StreamObserver<UpdateProfileResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            if (accounts.updateProfile(viewer, request)) {
                graph.acceptAllRequests(viewer);
            }
            return UpdateProfileResponse.newBuilder().setUser(accounts.read(viewer)).build();
        });
    }

    @Override
    public void searchUsers(SearchUsersRequest request, StreamObserver<SearchUsersResponse> responses) {
        answer(responses, () -> {
            String typed = request.getQuery().strip();
            if (typed.startsWith("@")) {
                typed = typed.substring(1).strip();
            }
            final String query = SearchText.normalize(typed);
            PinholeException.invalidArguments()
                    .addIf(query.isEmpty() || AccountRules.length(typed) > MAX_QUERY, "query", "1–30 characters")
                    // No name holds one, and PostgreSQL refuses NUL in text: the search would fail, not miss.
                    .addIf(query.chars().anyMatch(Character::isISOControl), "query", "no control characters")
                    .addIf(request.getLimit() < 0 || request.getLimit() > 50, "limit", "between 0 and 50")
                    .throwIfAny();
            final int limit = request.getLimit() == 0 ? 20 : request.getLimit();
            final OptionalLong viewer = Viewer.current();
            final Set<Long> hidden = viewer.isPresent() ? users.blockersOf(viewer.getAsLong()) : Set.of();
            return SearchUsersResponse.newBuilder().addAllUsers(search.search(query, limit, hidden)).build();
        });
    }

    @Override
    public void follow(FollowRequest request, StreamObserver<FollowResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final long target = requireUserId(request.getUserId());
            final Relationship relationship = graph.follow(viewer, target);
            return FollowResponse.newBuilder().setRelationship(relationship).setUser(accounts.read(target)).build();
        });
    }

    @Override
    public void unfollow(UnfollowRequest request, StreamObserver<UnfollowResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final long target = requireUserId(request.getUserId());
            final Relationship relationship = graph.unfollow(viewer, target);
            return UnfollowResponse.newBuilder().setRelationship(relationship).setUser(accounts.read(target)).build();
        });
    }

    @Override
    public void block(BlockRequest request, StreamObserver<BlockResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final long target = requireUserId(request.getUserId());
            final Relationship relationship = graph.block(viewer, target);
            return BlockResponse.newBuilder().setRelationship(relationship).setUser(accounts.read(target)).build();
        });
    }

    @Override
    public void unblock(UnblockRequest request, StreamObserver<UnblockResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final long target = requireUserId(request.getUserId());
            final Relationship relationship = graph.unblock(viewer, target);
            return UnblockResponse.newBuilder().setRelationship(relationship).setUser(accounts.read(target)).build();
        });
    }

    @Override
    public void listFollowers(ListFollowersRequest request, StreamObserver<ListFollowersResponse> responses) {
        answer(responses, () -> {
            final FollowGraph.IdPage page = graph.followers(Viewer.current(), requireUserId(request.getUserId()), request.getPage());
            return ListFollowersResponse.newBuilder().addAllUserIds(page.userIds()).setPage(page.page()).build();
        });
    }

    @Override
    public void listFollowing(ListFollowingRequest request, StreamObserver<ListFollowingResponse> responses) {
        answer(responses, () -> {
            final FollowGraph.IdPage page = graph.following(Viewer.current(), requireUserId(request.getUserId()), request.getPage());
            return ListFollowingResponse.newBuilder().addAllUserIds(page.userIds()).setPage(page.page()).build();
        });
    }

    @Override
    public void getRelationships(GetRelationshipsRequest request, StreamObserver<GetRelationshipsResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            requireBatch("user_ids", request.getUserIdsCount());
            final Set<Long> known = users.byIds(request.getUserIdsList()).keySet();
            return GetRelationshipsResponse.newBuilder().putAllRelationships(graph.relationships(viewer, known)).build();
        });
    }

    @Override
    public void listFollowRequests(ListFollowRequestsRequest request, StreamObserver<ListFollowRequestsResponse> responses) {
        answer(responses, () -> {
            final FollowGraph.IdPage page = graph.requests(Viewer.require(), request.getPage());
            return ListFollowRequestsResponse.newBuilder().addAllUserIds(page.userIds()).setPage(page.page()).build();
        });
    }

    @Override
    public void approveFollowRequest(ApproveFollowRequestRequest request, StreamObserver<ApproveFollowRequestResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final Relationship relationship = graph.approve(viewer, requireUserId(request.getUserId()));
            return ApproveFollowRequestResponse.newBuilder().setRelationship(relationship).build();
        });
    }

    @Override
    public void denyFollowRequest(DenyFollowRequestRequest request, StreamObserver<DenyFollowRequestResponse> responses) {
        answer(responses, () -> {
            final long viewer = Viewer.require();
            final Relationship relationship = graph.deny(viewer, requireUserId(request.getUserId()));
            return DenyFollowRequestResponse.newBuilder().setRelationship(relationship).build();
        });
    }

    /** Users by ID as the current viewer may see them: those who block the viewer are left out. */
    private Map<Long, User> visibleUsers(java.util.Collection<Long> ids) {
        final Map<Long, User> found = new HashMap<>(users.byIds(ids));
        Viewer.current().ifPresent(viewer -> found.keySet().removeAll(users.blockersOf(viewer)));
        return found;
    }

    private static void requireBatch(String field, int count) {
        if (count > MAX_BATCH) {
            throw PinholeException.invalidArgument(field, "at most " + MAX_BATCH + " per call");
        }
    }

    private static long requireUserId(long userId) {
        if (userId <= 0) {
            throw PinholeException.invalidArgument("user_id", "required");
        }
        return userId;
    }

    private static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    private static <T> void answer(StreamObserver<T> responses, Supplier<T> work) {
        responses.onNext(work.get());
        responses.onCompleted();
    }
}
