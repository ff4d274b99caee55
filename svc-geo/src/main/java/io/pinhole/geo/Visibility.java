package io.pinhole.geo;

import static java.util.Objects.requireNonNull;

import io.pinhole.identity.v1.GetRelationshipsRequest;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.Relationship;
import io.pinhole.identity.v1.User;
import io.pinhole.platform.server.Viewer;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Whose media a viewer may see, decided at query time by svc-identity (the same rule as svc-media's GetMedia): the
 * owner exists and does not block the viewer (identity leaves such owners out of GetUsers), the viewer does not
 * block the owner, and the owner is public, is the viewer, or is followed by the viewer. Two batch calls per page
 * (GetUsers, GetRelationships), both served from identity's caches; anonymous viewers need only GetUsers.
 *
 * <p>One instance per request: decisions are remembered across the Solr pages of one request.
 */
final class Visibility {

    private final IdentityServiceBlockingStub identity;
    private final OptionalLong viewer;
    private final Map<Long, Boolean> decided = new HashMap<>();

    Visibility(IdentityServiceBlockingStub identity, OptionalLong viewer) {
        this.identity = requireNonNull(identity, "identity");
        this.viewer = requireNonNull(viewer, "viewer");
    }

    /** Whether the viewer may see media of each of {@code ownerIds}. */
    Set<Long> visibleOwners(Collection<Long> ownerIds) {
        final Set<Long> unknown = new HashSet<>(ownerIds);
        unknown.removeAll(decided.keySet());
        if (!unknown.isEmpty()) {
            final IdentityServiceBlockingStub asViewer = viewer.isPresent() ? Viewer.as(identity, viewer.getAsLong()) : identity;
            final Map<Long, User> users = asViewer.getUsers(GetUsersRequest.newBuilder().addAllUserIds(unknown).build()).getUsersMap();
            final Set<Long> others = new HashSet<>(users.keySet());
            viewer.ifPresent(others::remove);
            final Map<Long, Relationship> relationships = viewer.isEmpty() || others.isEmpty() ? Map.of()
                    : asViewer.getRelationships(GetRelationshipsRequest.newBuilder().addAllUserIds(others).build()).getRelationshipsMap();
            for (long owner : unknown) {
                final User user = users.get(owner);
                final boolean self = viewer.isPresent() && viewer.getAsLong() == owner;
                final Relationship relationship = relationships.get(owner);
                final boolean blocked = relationship != null && (relationship.getBlocking() || relationship.getBlockedBy());
                final boolean following = relationship != null && relationship.getFollowing();
                decided.put(owner, user != null && (self || !blocked && (!user.getIsPrivate() || following)));
            }
        }
        final Set<Long> visible = new HashSet<>();
        for (long owner : ownerIds) {
            if (decided.get(owner)) {
                visible.add(owner);
            }
        }
        return visible;
    }
}
