package io.pinhole.identity;

import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.platform.events.EventHandler;

/**
 * This service's own consumer of the {@code follows} topic (group {@value #GROUP}): for every follow, unfollow,
 * block and unblock it reconciles both shards of the pair, which heals an edge whose second half was never written
 * because the process died after the first transaction (see {@link FollowGraph}).
 */
final class FollowGraphRepair implements EventHandler {

    static final String GROUP = "identity-follow-graph";

    private final FollowGraph graph;

    FollowGraphRepair(FollowGraph graph) {
        this.graph = graph;
    }

    @Override
    public void handle(EventEnvelope event) {
        switch (event.getPayloadCase()) {
            case FOLLOWED -> graph.reconcilePair(event.getFollowed().getFollowerId(), event.getFollowed().getFolloweeId());
            case UNFOLLOWED -> graph.reconcilePair(event.getUnfollowed().getFollowerId(), event.getUnfollowed().getFolloweeId());
            case BLOCKED -> graph.reconcilePair(event.getBlocked().getBlockerId(), event.getBlocked().getBlockedId());
            case UNBLOCKED -> graph.reconcilePair(event.getUnblocked().getBlockerId(), event.getUnblocked().getBlockedId());
            default -> { }
        }
    }
}
