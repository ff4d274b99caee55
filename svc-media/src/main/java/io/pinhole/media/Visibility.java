package io.pinhole.media;

import io.pinhole.identity.v1.GetRelationshipsRequest;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.Relationship;
import io.pinhole.identity.v1.User;
import io.pinhole.platform.server.Viewer;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Whose media a viewer may see, asked of svc-identity (two batch calls, both served from identity's caches): a
 * media is visible when its owner exists and does not block the viewer (identity leaves such owners out of
 * GetUsers), the viewer does not block the owner, and the owner is public, is the viewer, or is followed by the
 * viewer.
 */
final class Visibility {

    private final IdentityServiceBlockingStub identity;

    Visibility(IdentityServiceBlockingStub identity) {
        this.identity = identity;
    }

    /** The owners among {@code ownerIds} whose media the viewer may see. */
    Set<Long> visibleOwners(OptionalLong viewer, Collection<Long> ownerIds) {
        final Set<Long> owners = new HashSet<>(ownerIds);
        if (owners.isEmpty()) {
            return owners;
        }
        final IdentityServiceBlockingStub asViewer = viewer.isPresent() ? Viewer.as(identity, viewer.getAsLong()) : identity;
        final Map<Long, User> users = asViewer.getUsers(GetUsersRequest.newBuilder().addAllUserIds(owners).build()).getUsersMap();
        final Set<Long> others = new HashSet<>(users.keySet());
        viewer.ifPresent(others::remove);
        final Map<Long, Relationship> relationships = viewer.isEmpty() || others.isEmpty() ? Map.of()
                : asViewer.getRelationships(GetRelationshipsRequest.newBuilder().addAllUserIds(others).build()).getRelationshipsMap();
        final Set<Long> visible = new HashSet<>();
        for (User user : users.values()) {
            final boolean self = viewer.isPresent() && viewer.getAsLong() == user.getId();
            final Relationship relationship = relationships.get(user.getId());
            final boolean blocked = relationship != null && (relationship.getBlocking() || relationship.getBlockedBy());
            final boolean following = relationship != null && relationship.getFollowing();
            if (self || !blocked && (!user.getIsPrivate() || following)) {
                visible.add(user.getId());
            }
        }
        return visible;
    }

    /** What a viewer may know of one user's media. */
    enum Access { VISIBLE, UNKNOWN, PRIVATE }

    /** UNKNOWN for an unknown user, one who blocks the viewer or whom the viewer blocks; PRIVATE for a private account
     * the viewer neither is nor follows. */
    Access access(OptionalLong viewer, long ownerId) {
        if (visibleOwners(viewer, List.of(ownerId)).contains(ownerId)) {
            return Access.VISIBLE;
        }
        final IdentityServiceBlockingStub asViewer = viewer.isPresent() ? Viewer.as(identity, viewer.getAsLong()) : identity;
        final User owner = asViewer.getUsers(GetUsersRequest.newBuilder().addUserIds(ownerId).build()).getUsersMap().get(ownerId);
        if (owner == null || !owner.getIsPrivate()) {
            return Access.UNKNOWN; // absent, or public yet invisible: a block
        }
        final Relationship relationship = viewer.isEmpty() ? null : asViewer.getRelationships(
                GetRelationshipsRequest.newBuilder().addUserIds(ownerId).build()).getRelationshipsMap().get(ownerId);
        return relationship != null && relationship.getBlocking() ? Access.UNKNOWN : Access.PRIVATE;
    }
}
