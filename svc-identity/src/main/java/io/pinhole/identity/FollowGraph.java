package io.pinhole.identity;

import io.pinhole.common.v1.PageRequest;
import io.pinhole.common.v1.PageResponse;
import io.pinhole.events.v1.Blocked;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.events.v1.Followed;
import io.pinhole.events.v1.Unblocked;
import io.pinhole.events.v1.Unfollowed;
import io.pinhole.identity.v1.Relationship;
import io.pinhole.identity.v1.User;
import io.pinhole.platform.error.PinholeException;
import io.pinhole.platform.events.Outbox;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.page.Pages;
import io.pinhole.platform.shard.ShardedDatabase;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.ibatis.session.SqlSession;

/**
 * The follow graph, sharded by user. Each edge is stored twice so that every question about one user is answered
 * from that user's shard:
 * <ul>
 *   <li>a follow (or request) as {@code following} in the follower's shard — the truth — and as {@code followers}
 *       in the followee's shard — the mirror;</li>
 *   <li>a block as {@code blocks} in the blocker's shard (truth) and {@code blocked_by} in the blocked user's shard
 *       (mirror).</li>
 * </ul>
 * A change writes the truth, its counter and its event in one transaction of the actor's shard, then calls
 * {@link #reconcile} for the other shard. If the process dies in between, the event (committed with the truth) reaches
 * this service's own {@code identity-follow-graph} consumer, which runs the same {@link #reconcile}: a half edge heals
 * within the event pipeline's latency. Reconciling is state-based (it copies the current truth), so running it twice
 * or out of order is harmless, and it runs under a per-pair advisory lock taken before the truth is read, so the last
 * reconcile always copies the latest truth.
 *
 * <p>Counts follow the rows in the same transactions: {@code following_count} with the truth rows,
 * {@code follower_count} with the mirror rows; so both are exact for what each shard holds and converge with it.
 */
final class FollowGraph {

    private final ShardedDatabase database;
    private final Users users;

    FollowGraph(ShardedDatabase database, Users users) {
        this.database = database;
        this.users = users;
    }

    // ---------------------------------------------------------------- changes

    Relationship follow(long viewer, long target) {
        requireOther(viewer, target);
        final UserRow followee = visibleRow(viewer, target);
        if (users.blockersOf(target).contains(viewer)) {
            throw PinholeException.permissionDenied("you block this user; unblock them first");
        }
        database.inShard(PinholeIds.shard(viewer), session -> {
            final IdentityMapper mapper = mapper(session);
            final String schema = Users.schemaOf(viewer);
            if (mapper.insertFollowing(schema, viewer, target, followee.isPrivate) == 1) {
                if (!followee.isPrivate) {
                    mapper.addToFollowCounts(schema, viewer, 0, 1);
                }
                Outbox.append(session, followsEvent(viewer).setFollowed(
                        Followed.newBuilder().setFollowerId(viewer).setFolloweeId(target).setPending(followee.isPrivate)).build());
            }
            return null;
        });
        users.invalidate(viewer);
        reconcile(target, viewer);
        return relationship(viewer, target);
    }

    /** NOT_FOUND when the target blocks the viewer, as for follow: their block already ended any follow. */
    Relationship unfollow(long viewer, long target) {
        visibleRow(viewer, target);
        database.inShard(PinholeIds.shard(viewer), session -> {
            removeFollowTruth(session, viewer, target, false);
            return null;
        });
        users.invalidate(viewer);
        reconcile(target, viewer);
        return relationship(viewer, target);
    }

    /** NOT_FOUND when the target blocks the viewer: they do not exist for the viewer (nor their profile). */
    Relationship block(long viewer, long target) {
        requireOther(viewer, target);
        visibleRow(viewer, target);
        database.inShard(PinholeIds.shard(viewer), session -> {
            final IdentityMapper mapper = mapper(session);
            final String schema = Users.schemaOf(viewer);
            final boolean blocked = mapper.insertBlock(schema, viewer, target) == 1;
            final Boolean unfollowed = mapper.deleteFollowing(schema, viewer, target, false);
            if (Boolean.FALSE.equals(unfollowed)) {
                mapper.addToFollowCounts(schema, viewer, 0, -1);
            }
            if (blocked) {
                Outbox.append(session, followsEvent(viewer).setBlocked(
                        Blocked.newBuilder().setBlockerId(viewer).setBlockedId(target)).build());
            }
            return null;
        });
        users.invalidate(viewer);
        reconcilePair(viewer, target);
        return relationship(viewer, target);
    }

    Relationship unblock(long viewer, long target) {
        existingRow(target);
        database.inShard(PinholeIds.shard(viewer), session -> {
            if (mapper(session).deleteBlock(Users.schemaOf(viewer), viewer, target) == 1) {
                Outbox.append(session, followsEvent(viewer).setUnblocked(
                        Unblocked.newBuilder().setBlockerId(viewer).setBlockedId(target)).build());
            }
            return null;
        });
        reconcile(target, viewer);
        if (users.blockersOf(viewer).contains(target)) {
            // Blocks both ways (made before Block refused the blocked) can still be undone from this side, but the
            // target stays invisible to the viewer: answer as for an unknown user rather than with their profile.
            throw PinholeException.notFound("no user " + target);
        }
        return relationship(viewer, target);
    }

    /** The viewer accepts {@code requester}'s pending request; NOT_FOUND when there is neither request nor follow. */
    Relationship approve(long viewer, long requester) {
        if (!acceptRequest(viewer, requester)) {
            throw PinholeException.notFound("user " + requester + " has not asked to follow you");
        }
        return relationship(viewer, requester);
    }

    /** The viewer refuses {@code requester}'s pending request, if any. */
    Relationship deny(long viewer, long requester) {
        if (users.isPossibleId(requester)) {
            database.inShard(PinholeIds.shard(requester), session -> {
                removeFollowTruth(session, requester, viewer, true);
                return null;
            });
            reconcile(viewer, requester);
        }
        return relationship(viewer, requester);
    }

    /** Accepts every pending request to the viewer (the account turned public). */
    void acceptAllRequests(long viewer) {
        while (true) {
            final List<EdgeRow> requests = database.inShard(PinholeIds.shard(viewer), session ->
                    mapper(session).followersPage(Users.schemaOf(viewer), viewer, true, null, 0, 100));
            if (requests.isEmpty()) {
                return;
            }
            // acceptRequest reconciles the mirror row either way, so each pass removes its requests from the list.
            requests.forEach(request -> acceptRequest(viewer, request.userId));
        }
    }

    private boolean acceptRequest(long viewer, long requester) {
        if (!users.isPossibleId(requester)) {
            return false;
        }
        final boolean exists = database.inShard(PinholeIds.shard(requester), session -> {
            final IdentityMapper mapper = mapper(session);
            final String schema = Users.schemaOf(requester);
            final EdgeRow edge = mapper.following(schema, requester, viewer);
            if (edge != null && edge.pending && mapper.acceptFollowing(schema, requester, viewer) == 1) {
                mapper.addToFollowCounts(schema, requester, 0, 1);
                Outbox.append(session, followsEvent(requester).setFollowed(Followed.newBuilder()
                        .setFollowerId(requester).setFolloweeId(viewer).setApprovedRequest(true)).build());
            }
            return edge != null;
        });
        users.invalidate(requester);
        reconcile(viewer, requester);
        return exists;
    }

    /** Deletes the follow truth row follower → followee (only a pending one if asked), with its count and event. */
    private static void removeFollowTruth(SqlSession session, long follower, long followee, boolean onlyPending) {
        final IdentityMapper mapper = mapper(session);
        final String schema = Users.schemaOf(follower);
        final Boolean removedPending = mapper.deleteFollowing(schema, follower, followee, onlyPending);
        if (removedPending == null) {
            return;
        }
        if (!removedPending) {
            mapper.addToFollowCounts(schema, follower, 0, -1);
        }
        Outbox.append(session, followsEvent(follower).setUnfollowed(Unfollowed.newBuilder()
                .setFollowerId(follower).setFolloweeId(followee).setWasPending(removedPending)).build());
    }

    // Events about an edge are ordered by the user whose shard holds its truth (the follower, the blocker).
    private static EventEnvelope.Builder followsEvent(long truthOwner) {
        return EventEnvelope.newBuilder().setAggregateId(truthOwner);
    }

    // ---------------------------------------------------------------- repair

    /** Reconciles both sides of the pair (the event consumer's repair, and after a block). */
    void reconcilePair(long first, long second) {
        if (users.isPossibleId(first) && users.isPossibleId(second) && first != second) {
            reconcile(first, second);
            reconcile(second, first);
        }
    }

    /**
     * Makes {@code owner}'s shard agree with the truth held in {@code other}'s shard about the pair: the mirror of
     * other's follow of owner, the mirror of other's block of owner, and the removal of owner's own follow when
     * either blocks the other.
     *
     * <p>Connections to two physical servers are always taken lower server first (no pool deadlock), and the pair's
     * advisory lock lives on that lower server.
     */
    void reconcile(long owner, long other) {
        final int ownerShard = PinholeIds.shard(owner);
        final int otherShard = PinholeIds.shard(other);
        final int ownerServer = database.shardMap().physicalServerOf(ownerShard);
        final int otherServer = database.shardMap().physicalServerOf(otherShard);
        final long pairLock = owner * 0x9E3779B97F4A7C15L + other;
        if (ownerServer <= otherServer) {
            database.inShard(ownerShard, session -> {
                mapper(session).lock(pairLock);
                final Truth truth = ownerServer == otherServer
                        ? Truth.read(mapper(session), other, owner)
                        : database.inShard(otherShard, otherSession -> Truth.read(mapper(otherSession), other, owner));
                applyTruth(mapper(session), owner, other, truth);
                return null;
            });
        } else {
            database.inShard(otherShard, session -> {
                mapper(session).lock(pairLock);
                final Truth truth = Truth.read(mapper(session), other, owner);
                return database.inShard(ownerShard, ownerSession -> {
                    applyTruth(mapper(ownerSession), owner, other, truth);
                    return null;
                });
            });
        }
        users.invalidate(owner);
        users.invalidateBlockers(owner);
    }

    /** What {@code other}'s shard says about other → owner. */
    private record Truth(EdgeRow follow, EdgeRow block) {
        static Truth read(IdentityMapper mapper, long other, long owner) {
            final String schema = Users.schemaOf(other);
            return new Truth(mapper.following(schema, other, owner), mapper.block(schema, other, owner));
        }
    }

    private static void applyTruth(IdentityMapper mapper, long owner, long other, Truth truth) {
        final String schema = Users.schemaOf(owner);
        final boolean blocked = truth.block() != null || mapper.block(schema, owner, other) != null;
        if (truth.block() != null) {
            mapper.insertBlockedBy(schema, owner, other, truth.block().createdAt);
        } else {
            mapper.deleteBlockedBy(schema, owner, other);
        }
        if (blocked && Boolean.FALSE.equals(mapper.deleteFollowing(schema, owner, other, false))) {
            mapper.addToFollowCounts(schema, owner, 0, -1);
        }
        final EdgeRow wanted = blocked ? null : truth.follow();
        final EdgeRow current = mapper.follower(schema, owner, other);
        if (wanted == null && current != null) {
            mapper.deleteFollower(schema, owner, other);
        } else if (wanted != null && (current == null || current.pending != wanted.pending
                                      || !current.createdAt.equals(wanted.createdAt))) {
            mapper.upsertFollower(schema, owner, other, wanted.pending, wanted.createdAt);
        }
        final int followerChange = accepted(wanted) - accepted(current);
        if (followerChange != 0) {
            mapper.addToFollowCounts(schema, owner, followerChange, 0);
        }
    }

    private static int accepted(EdgeRow edge) {
        return edge != null && !edge.pending ? 1 : 0;
    }

    // ---------------------------------------------------------------- reads

    /** The viewer's relationship to each of {@code userIds} (which must exist), all read from the viewer's shard. */
    Map<Long, Relationship> relationships(long viewer, Collection<Long> userIds) {
        final List<Long> others = userIds.stream().filter(id -> id != viewer).distinct().toList();
        if (others.isEmpty()) {
            return Map.of();
        }
        final Set<Long> blockers = users.blockersOf(viewer);
        final String schema = Users.schemaOf(viewer);
        return database.inShard(PinholeIds.shard(viewer), session -> {
            final IdentityMapper mapper = mapper(session);
            final Map<Long, EdgeRow> following = byUser(mapper.followingAmong(schema, viewer, others));
            final Map<Long, EdgeRow> followers = byUser(mapper.followersAmong(schema, viewer, others));
            final Set<Long> blocking = Set.copyOf(mapper.blockedAmong(schema, viewer, others));
            final Map<Long, Relationship> relationships = new HashMap<>();
            for (long other : others) {
                final Relationship.Builder relationship = Relationship.newBuilder().setUserId(other);
                if (blockers.contains(other)) {
                    relationship.setBlockedBy(true);
                } else {
                    final EdgeRow out = following.get(other);
                    final EdgeRow in = followers.get(other);
                    relationship.setFollowing(out != null && !out.pending).setRequested(out != null && out.pending)
                                .setFollowedBy(in != null && !in.pending).setRequestedBy(in != null && in.pending)
                                .setBlocking(blocking.contains(other));
                }
                relationships.put(other, relationship.build());
            }
            return relationships;
        });
    }

    Relationship relationship(long viewer, long other) {
        return relationships(viewer, List.of(other)).getOrDefault(other, Relationship.newBuilder().setUserId(other).build());
    }

    /** A page of IDs with the cursor of the next page. */
    record IdPage(List<Long> userIds, PageResponse page) {}

    /** Accepted followers of {@code userId} as the viewer may see them. */
    IdPage followers(OptionalLong viewer, long userId, PageRequest page) {
        return listOf(viewer, userId, page, (mapper, after) -> mapper.followersPage(
                Users.schemaOf(userId), userId, false, after.time, after.id, after.limit));
    }

    /** Whom {@code userId} follows (accepted) as the viewer may see it. */
    IdPage following(OptionalLong viewer, long userId, PageRequest page) {
        return listOf(viewer, userId, page, (mapper, after) -> mapper.followingPage(
                Users.schemaOf(userId), userId, false, after.time, after.id, after.limit));
    }

    /** Pending requests to the viewer. */
    IdPage requests(long viewer, PageRequest page) {
        return pageOf(viewer, page, Set.of(), (mapper, after) -> mapper.followersPage(
                Users.schemaOf(viewer), viewer, true, after.time, after.id, after.limit));
    }

    private record After(Instant time, long id, int limit) {}

    @FunctionalInterface
    private interface PageQuery {
        List<EdgeRow> run(IdentityMapper mapper, After after);
    }

    private IdPage listOf(OptionalLong viewer, long userId, PageRequest page, PageQuery query) {
        final int limit = Pages.limit(page);
        final User user = users.isPossibleId(userId) ? users.byIds(List.of(userId)).get(userId) : null;
        final Set<Long> blockers = viewer.isPresent() ? users.blockersOf(viewer.getAsLong()) : Set.of();
        if (user == null || blockers.contains(userId)) {
            throw PinholeException.notFound("no user " + userId);
        }
        final boolean self = viewer.isPresent() && viewer.getAsLong() == userId;
        if (user.getIsPrivate() && !self
            && !(viewer.isPresent() && relationship(viewer.getAsLong(), userId).getFollowing())) {
            throw PinholeException.permissionDenied("this account is private; follow it to see its follows");
        }
        return pageOf(userId, PageRequest.newBuilder(page).setLimit(limit).build(), blockers, query);
    }

    private IdPage pageOf(long shardOwner, PageRequest page, Set<Long> hidden, PageQuery query) {
        final int limit = Pages.limit(page);
        final After after = Pages.decode(page, 2)
                .map(parts -> new After(Instant.EPOCH.plus(parts[0], ChronoUnit.MICROS), parts[1], limit))
                .orElse(new After(null, 0, limit));
        final List<EdgeRow> rows = database.inShard(PinholeIds.shard(shardOwner), session -> query.run(mapper(session), after));
        final String next = rows.size() < limit ? "" : Pages.cursor(
                ChronoUnit.MICROS.between(Instant.EPOCH, rows.getLast().createdAt), rows.getLast().userId);
        final List<Long> ids = rows.stream().map(row -> row.userId).filter(id -> !hidden.contains(id)).toList();
        return new IdPage(ids, PageResponse.newBuilder().setNextCursor(next).build());
    }

    // ---------------------------------------------------------------- helpers

    private static void requireOther(long viewer, long target) {
        if (viewer == target) {
            throw PinholeException.failedPrecondition("you cannot do this to yourself");
        }
    }

    /** The target's row, fresh; NOT_FOUND when unknown or when it blocks the viewer. */
    private UserRow visibleRow(long viewer, long target) {
        final UserRow row = existingRow(target);
        if (users.blockersOf(viewer).contains(target)) {
            throw PinholeException.notFound("no user " + target);
        }
        return row;
    }

    private UserRow existingRow(long userId) {
        final UserRow row = users.isPossibleId(userId) ? database.inShard(PinholeIds.shard(userId),
                session -> mapper(session).user(Users.schemaOf(userId), userId)) : null;
        if (row == null) {
            throw PinholeException.notFound("no user " + userId);
        }
        return row;
    }

    private static Map<Long, EdgeRow> byUser(List<EdgeRow> rows) {
        return rows.stream().collect(Collectors.toMap(row -> row.userId, Function.identity()));
    }

    private static IdentityMapper mapper(SqlSession session) {
        return session.getMapper(IdentityMapper.class);
    }
}
