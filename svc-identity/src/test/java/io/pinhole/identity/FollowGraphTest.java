package io.pinhole.identity;

import static io.pinhole.identity.IdentityFixture.anonymous;
import static io.pinhole.identity.IdentityFixture.as;
import static io.pinhole.identity.IdentityFixture.assertFails;
import static io.pinhole.identity.IdentityFixture.newUser;
import static io.pinhole.identity.IdentityFixture.newUserOnServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status.Code;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.events.v1.Blocked;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.events.v1.Followed;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.UUID;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.identity.v1.ApproveFollowRequestRequest;
import io.pinhole.identity.v1.BlockRequest;
import io.pinhole.identity.v1.DenyFollowRequestRequest;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.identity.v1.GetRelationshipsRequest;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.ListFollowRequestsRequest;
import io.pinhole.identity.v1.ListFollowersRequest;
import io.pinhole.identity.v1.ListFollowingRequest;
import io.pinhole.identity.v1.Relationship;
import io.pinhole.identity.v1.SearchUsersRequest;
import io.pinhole.identity.v1.UnblockRequest;
import io.pinhole.identity.v1.UnfollowRequest;
import io.pinhole.identity.v1.UpdateProfileRequest;
import io.pinhole.identity.v1.User;
import io.pinhole.platform.events.Topics;
import io.pinhole.platform.id.PinholeIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, IdentityFixture.class})
class FollowGraphTest {

    private static User user(long id) {
        return anonymous().getUsers(GetUsersRequest.newBuilder().addUserIds(id).build()).getUsersOrThrow(id);
    }

    private static Relationship relationship(long viewer, long other) {
        return as(viewer).getRelationships(GetRelationshipsRequest.newBuilder().addUserIds(other).build()).getRelationshipsOrThrow(other);
    }

    private static Relationship follow(long viewer, long target) {
        return as(viewer).follow(FollowRequest.newBuilder().setUserId(target).build()).getRelationship();
    }

    private static List<Long> followers(long viewer, long userId) {
        return as(viewer).listFollowers(ListFollowersRequest.newBuilder().setUserId(userId).build()).getUserIdsList();
    }

    private static List<Long> following(long viewer, long userId) {
        return as(viewer).listFollowing(ListFollowingRequest.newBuilder().setUserId(userId).build()).getUserIdsList();
    }

    @Test
    void followAcrossPhysicalServers_isSeenFromBothSides_withCounts_andIsIdempotent() {
        final long alice = newUserOnServer("alice", 0);
        final long bob = newUserOnServer("bob", 1);

        final var response = as(alice).follow(FollowRequest.newBuilder().setUserId(bob).build());
        assertThat(response.getRelationship().getFollowing()).isTrue();
        assertThat(response.getUser().getFollowerCount()).isEqualTo(1);
        follow(alice, bob); // again: nothing changes
        follow(bob, alice);

        assertThat(user(alice).getFollowingCount()).isEqualTo(1);
        assertThat(user(alice).getFollowerCount()).isEqualTo(1);
        assertThat(user(bob).getFollowerCount()).isEqualTo(1);
        assertThat(followers(alice, bob)).containsExactly(alice);
        assertThat(following(bob, alice)).containsExactly(bob);
        assertThat(relationship(alice, bob)).isEqualTo(Relationship.newBuilder().setUserId(bob).setFollowing(true).setFollowedBy(true).build());
        await().atMost(Duration.ofSeconds(10)).until(() -> IdentityFixture.streamHolds(Topics.FOLLOWS, event ->
                event.hasFollowed() && event.getFollowed().getFollowerId() == alice && event.getFollowed().getFolloweeId() == bob
                && !event.getFollowed().getPending()));

        final var unfollowed = as(alice).unfollow(UnfollowRequest.newBuilder().setUserId(bob).build());
        assertThat(unfollowed.getRelationship().getFollowing()).isFalse();
        assertThat(unfollowed.getUser().getFollowerCount()).isZero();
        as(alice).unfollow(UnfollowRequest.newBuilder().setUserId(bob).build());
        assertThat(user(alice).getFollowingCount()).isZero();
        assertThat(followers(alice, bob)).isEmpty();
    }

    @Test
    void followErrors_haveExactCodes() {
        final long viewer = newUser("errors");
        final long unknown = PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 9, 1, 1);
        assertFails(Code.FAILED_PRECONDITION, () -> follow(viewer, viewer));
        assertFails(Code.NOT_FOUND, () -> follow(viewer, unknown));
        assertFails(Code.INVALID_ARGUMENT, () -> follow(viewer, 0), "user_id");
        assertFails(Code.UNAUTHENTICATED, () -> anonymous().follow(FollowRequest.newBuilder().setUserId(unknown).build()));
        assertFails(Code.NOT_FOUND, () -> as(viewer).unfollow(UnfollowRequest.newBuilder().setUserId(unknown).build()));
        assertFails(Code.NOT_FOUND, () -> as(viewer).block(BlockRequest.newBuilder().setUserId(unknown).build()));
        assertFails(Code.FAILED_PRECONDITION, () -> as(viewer).block(BlockRequest.newBuilder().setUserId(viewer).build()));
        assertFails(Code.NOT_FOUND, () -> followers(viewer, unknown));
        assertFails(Code.INVALID_ARGUMENT, () -> as(viewer).listFollowers(ListFollowersRequest.newBuilder().setUserId(viewer)
                .setPage(PageRequest.newBuilder().setLimit(51)).build()), "page.limit");
        assertFails(Code.INVALID_ARGUMENT, () -> as(viewer).listFollowers(ListFollowersRequest.newBuilder().setUserId(viewer)
                .setPage(PageRequest.newBuilder().setCursor("not-a-cursor")).build()), "page.cursor");
        assertFails(Code.NOT_FOUND, () -> as(viewer).approveFollowRequest(ApproveFollowRequestRequest.newBuilder().setUserId(newUser("stranger")).build()));
    }

    @Test
    void privateAccount_turnsFollowsIntoRequests_thatItApprovesOrDenies() {
        final long owner = newUser("private");
        as(owner).updateProfile(UpdateProfileRequest.newBuilder().setIsPrivate(true).build());
        final long fan = newUser("fan");
        final long other = newUser("other");

        assertThat(follow(fan, owner)).isEqualTo(Relationship.newBuilder().setUserId(owner).setRequested(true).build());
        follow(other, owner);
        assertThat(user(owner).getFollowerCount()).isZero();
        assertThat(as(owner).listFollowRequests(ListFollowRequestsRequest.getDefaultInstance()).getUserIdsList()).containsExactly(other, fan);
        assertFails(Code.PERMISSION_DENIED, () -> followers(fan, owner));
        assertFails(Code.PERMISSION_DENIED, () -> anonymous().listFollowing(ListFollowingRequest.newBuilder().setUserId(owner).build()));

        final Relationship approved = as(owner).approveFollowRequest(ApproveFollowRequestRequest.newBuilder().setUserId(fan).build()).getRelationship();
        assertThat(approved.getFollowedBy()).isTrue();
        assertThat(relationship(fan, owner).getFollowing()).isTrue();
        assertThat(user(owner).getFollowerCount()).isEqualTo(1);
        assertThat(user(fan).getFollowingCount()).isEqualTo(1);
        assertThat(followers(fan, owner)).containsExactly(fan); // an approved follower may look

        final Relationship denied = as(owner).denyFollowRequest(DenyFollowRequestRequest.newBuilder().setUserId(other).build()).getRelationship();
        assertThat(denied.getRequestedBy()).isFalse();
        assertThat(relationship(other, owner).getRequested()).isFalse();
        as(owner).denyFollowRequest(DenyFollowRequestRequest.newBuilder().setUserId(other).build()); // idempotent
        assertThat(as(owner).listFollowRequests(ListFollowRequestsRequest.getDefaultInstance()).getUserIdsList()).isEmpty();
    }

    @Test
    void turningPublic_acceptsEveryPendingRequest() {
        final long owner = newUser("shy");
        as(owner).updateProfile(UpdateProfileRequest.newBuilder().setIsPrivate(true).build());
        final List<Long> requesters = List.of(newUserOnServer("req", 0), newUserOnServer("req", 1), newUser("req"));
        requesters.forEach(requester -> follow(requester, owner));

        final User after = as(owner).updateProfile(UpdateProfileRequest.newBuilder().setIsPrivate(false).build()).getUser();

        assertThat(after.getIsPrivate()).isFalse();
        assertThat(after.getFollowerCount()).isEqualTo(3);
        assertThat(followers(owner, owner)).containsExactlyInAnyOrderElementsOf(requesters);
        requesters.forEach(requester -> assertThat(relationship(requester, owner).getFollowing()).isTrue());
    }

    @Test
    void block_removesFollowsBothWays_andHidesTheBlockerFromTheBlocked() {
        final long blocker = newUserOnServer("blocker", 1);
        final long blocked = newUserOnServer("blocked", 0);
        final long friend = newUser("friend");
        follow(blocker, blocked);
        follow(blocked, blocker);
        follow(friend, blocker);

        final var response = as(blocker).block(BlockRequest.newBuilder().setUserId(blocked).build());

        assertThat(response.getRelationship()).isEqualTo(Relationship.newBuilder().setUserId(blocked).setBlocking(true).build());
        assertThat(user(blocker).getFollowerCount()).isEqualTo(1); // the friend
        assertThat(user(blocker).getFollowingCount()).isZero();
        assertThat(user(blocked).getFollowerCount()).isZero();
        assertThat(user(blocked).getFollowingCount()).isZero();
        // The blocked user no longer finds the blocker anywhere.
        assertThat(as(blocked).getUsers(GetUsersRequest.newBuilder().addUserIds(blocker).build()).getUsersMap()).isEmpty();
        assertThat(relationship(blocked, blocker)).isEqualTo(Relationship.newBuilder().setUserId(blocker).setBlockedBy(true).build());
        assertFails(Code.NOT_FOUND, () -> follow(blocked, blocker));
        assertFails(Code.NOT_FOUND, () -> followers(blocked, blocker));
        assertThat(following(friend, friend)).containsExactly(blocker);
        assertThat(following(blocked, friend)).isEmpty();
        final String username = user(blocker).getUsername();
        assertThat(as(blocked).searchUsers(SearchUsersRequest.newBuilder().setQuery(username).build()).getUsersList()).isEmpty();
        assertThat(anonymous().searchUsers(SearchUsersRequest.newBuilder().setQuery(username).build()).getUsersList())
                .extracting(User::getId).containsExactly(blocker);
        // …while others still see them, and the blocker must unblock before following again.
        assertThat(anonymous().getUsers(GetUsersRequest.newBuilder().addUserIds(blocker).build()).getUsersMap()).containsKey(blocker);
        assertFails(Code.PERMISSION_DENIED, () -> follow(blocker, blocked));

        final var unblocked = as(blocker).unblock(UnblockRequest.newBuilder().setUserId(blocked).build());
        assertThat(unblocked.getRelationship()).isEqualTo(Relationship.newBuilder().setUserId(blocked).build());
        assertThat(as(blocked).getUsers(GetUsersRequest.newBuilder().addUserIds(blocker).build()).getUsersMap()).containsKey(blocker);
        assertThat(follow(blocked, blocker).getFollowing()).isTrue(); // removed follows are not restored, but allowed again
    }

    @Test
    void theBlocked_cannotUnfollowBlockOrUnblockTheBlocker_soTheirAnswerNeverCarriesTheBlockersProfile() {
        final long blocker = newUser("blocker");
        final long blocked = newUser("blocked");
        as(blocker).block(BlockRequest.newBuilder().setUserId(blocked).build());

        assertFails(Code.NOT_FOUND, () -> as(blocked).unfollow(UnfollowRequest.newBuilder().setUserId(blocker).build()));
        assertFails(Code.NOT_FOUND, () -> as(blocked).block(BlockRequest.newBuilder().setUserId(blocker).build()));
        assertFails(Code.NOT_FOUND, () -> as(blocked).unblock(UnblockRequest.newBuilder().setUserId(blocker).build()));
        // nothing changed: one block, one way
        assertThat(relationship(blocker, blocked)).isEqualTo(Relationship.newBuilder().setUserId(blocked).setBlocking(true).build());
        assertThat(relationship(blocked, blocker)).isEqualTo(Relationship.newBuilder().setUserId(blocker).setBlockedBy(true).build());
        // the blocker still acts on whom they blocked
        assertThat(as(blocker).unfollow(UnfollowRequest.newBuilder().setUserId(blocked).build()).getUser().getId()).isEqualTo(blocked);
        assertThat(as(blocker).unblock(UnblockRequest.newBuilder().setUserId(blocked).build()).getUser().getId()).isEqualTo(blocked);
        assertThat(as(blocked).unfollow(UnfollowRequest.newBuilder().setUserId(blocker).build()).getUser().getId()).isEqualTo(blocker);
    }

    @Test
    void blocksBothWays_fromBeforeBlockRefusedTheBlocked_canStillBeUndoneFromEitherSide() throws Exception {
        final long first = newUserOnServer("mutual", 0);
        final long second = newUserOnServer("mutual", 0);
        as(first).block(BlockRequest.newBuilder().setUserId(second).build());
        // What Block wrote for the second user before it answered NOT_FOUND to the blocked: the truth row and its event.
        final String schema = io.pinhole.platform.shard.ShardMap.schemaOf(PinholeIds.shard(second));
        final EventEnvelope event = EventEnvelope.newBuilder().setEventId(UUID.randomUUID().toString()).setAggregateId(second)
                .setBlocked(Blocked.newBuilder().setBlockerId(second).setBlockedId(first)).build();
        try (Connection connection = IdentityFixture.connect(0); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.executeUpdate("INSERT INTO " + schema + ".blocks (blocker_id, blocked_id) VALUES (" + second + ", " + first + ")");
            try (PreparedStatement outbox = connection.prepareStatement("INSERT INTO " + schema
                    + ".outbox (topic, aggregate_id, event_id, payload) VALUES (?, ?, ?::uuid, ?)")) {
                outbox.setString(1, Topics.FOLLOWS);
                outbox.setLong(2, second);
                outbox.setString(3, event.getEventId());
                outbox.setBytes(4, event.toByteArray());
                outbox.executeUpdate();
            }
            connection.commit();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(relationship(first, second).getBlockedBy()).isTrue());

        // The first user's own block goes, though the second stays hidden from them (NOT_FOUND, no profile).
        assertFails(Code.NOT_FOUND, () -> as(first).unblock(UnblockRequest.newBuilder().setUserId(second).build()));
        assertThat(relationship(second, first)).isEqualTo(Relationship.newBuilder().setUserId(first).setBlocking(true).build());
        assertThat(as(second).unblock(UnblockRequest.newBuilder().setUserId(first).build()).getRelationship())
                .isEqualTo(Relationship.newBuilder().setUserId(first).build());
    }

    @Test
    void followerPages_useStableCursors_whenNewFollowsArrive() {
        final long star = newUser("star");
        final List<Long> fans = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            final long fan = newUser("pagefan");
            follow(fan, star);
            fans.add(0, fan); // newest first
        }
        final List<Long> seen = new ArrayList<>();
        String cursor = "";
        int pages = 0;
        do {
            final var page = anonymous().listFollowers(ListFollowersRequest.newBuilder().setUserId(star)
                    .setPage(PageRequest.newBuilder().setLimit(2).setCursor(cursor)).build());
            seen.addAll(page.getUserIdsList());
            cursor = page.getPage().getNextCursor();
            if (pages++ == 0) {
                follow(newUser("latecomer"), star); // arrives at the head: must not shift the pages
            }
        } while (!cursor.isEmpty());
        assertThat(seen).containsExactlyElementsOf(fans);
    }

    @Test
    void getRelationships_answersKnownUsersInOneBatch() {
        final long viewer = newUser("batch");
        final long followed = newUser("followed");
        final long follower = newUser("follower");
        final long stranger = newUser("stranger");
        follow(viewer, followed);
        follow(follower, viewer);
        final long unknown = PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 11, 5, 5);

        final var relationships = as(viewer).getRelationships(GetRelationshipsRequest.newBuilder()
                .addUserIds(followed).addUserIds(follower).addUserIds(stranger).addUserIds(unknown).addUserIds(viewer).build())
                .getRelationshipsMap();

        assertThat(relationships).containsOnlyKeys(followed, follower, stranger);
        assertThat(relationships.get(followed).getFollowing()).isTrue();
        assertThat(relationships.get(follower).getFollowedBy()).isTrue();
        assertThat(relationships.get(stranger)).isEqualTo(Relationship.newBuilder().setUserId(stranger).build());
        assertFails(Code.UNAUTHENTICATED, () -> anonymous().getRelationships(GetRelationshipsRequest.newBuilder().addUserIds(followed).build()));
    }

    @Test
    void aHalfWrittenEdge_healsThroughTheFollowedEvent() throws Exception {
        final long follower = newUserOnServer("halfedge", 0);
        final long followee = newUserOnServer("halfedge", 1);
        // Exactly what the follower's shard commits before the followee's shard is written; a crash at that point
        // leaves this and nothing else.
        final int shard = PinholeIds.shard(follower);
        final String schema = io.pinhole.platform.shard.ShardMap.schemaOf(shard);
        final EventEnvelope event = EventEnvelope.newBuilder().setEventId(UUID.randomUUID().toString()).setAggregateId(follower)
                .setFollowed(Followed.newBuilder().setFollowerId(follower).setFolloweeId(followee)).build();
        try (Connection connection = IdentityFixture.connect(0); Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.executeUpdate("INSERT INTO " + schema + ".following (follower_id, followee_id, pending, created_at)"
                                    + " VALUES (" + follower + ", " + followee + ", false, now())");
            statement.executeUpdate("UPDATE " + schema + ".users SET following_count = 1 WHERE id = " + follower);
            try (PreparedStatement outbox = connection.prepareStatement("INSERT INTO " + schema
                    + ".outbox (topic, aggregate_id, event_id, payload) VALUES (?, ?, ?::uuid, ?)")) {
                outbox.setString(1, Topics.FOLLOWS);
                outbox.setLong(2, follower);
                outbox.setString(3, event.getEventId());
                outbox.setBytes(4, event.toByteArray());
                outbox.executeUpdate();
            }
            connection.commit();
        }

        // The relay publishes the event; this service's repair consumer writes the mirror and its count.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(followers(followee, followee)).containsExactly(follower);
            assertThat(user(followee).getFollowerCount()).isEqualTo(1);
        });
        assertThat(relationship(followee, follower).getFollowedBy()).isTrue();
    }
}
