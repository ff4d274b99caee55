package io.pinhole.identity;

import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.platform.events.EventHandler;
import io.pinhole.platform.events.ProcessedEvents;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.shard.ShardedDatabase;

/**
 * Keeps {@code users.media_count} from svc-media's MediaPosted and MediaDeleted events (consumer group
 * {@value #GROUP}): the count changes in the owner's shard in the same transaction that records the event as
 * processed, so a redelivered event is counted once. It lags a post by the event pipeline's latency.
 */
final class MediaCounts implements EventHandler {

    static final String GROUP = "identity-media-count";

    private final ShardedDatabase database;
    private final Users users;

    MediaCounts(ShardedDatabase database, Users users) {
        this.database = database;
        this.users = users;
    }

    @Override
    public void handle(EventEnvelope event) {
        final long owner;
        final int delta;
        switch (event.getPayloadCase()) {
            case MEDIA_POSTED -> { owner = event.getMediaPosted().getOwnerId(); delta = 1; }
            case MEDIA_DELETED -> { owner = event.getMediaDeleted().getOwnerId(); delta = -1; }
            default -> { return; }
        }
        if (!users.isPossibleId(owner)) {
            return;
        }
        database.inShard(PinholeIds.shard(owner), session -> {
            if (ProcessedEvents.firstTime(session, GROUP, event.getEventId())) {
                session.getMapper(IdentityMapper.class).addToMediaCount(Users.schemaOf(owner), owner, delta);
            }
            return null;
        });
        users.invalidate(owner);
    }
}
