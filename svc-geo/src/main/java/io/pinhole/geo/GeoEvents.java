package io.pinhole.geo;

import static java.util.Objects.requireNonNull;

import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.events.v1.MediaPosted;
import io.pinhole.events.v1.ProfileUpdated;
import io.pinhole.platform.events.EventHandler;
import java.time.Duration;
import java.time.Instant;

/**
 * The {@value #GROUP} consumer group's handler, on the {@code media} and {@code users} topics: MediaPosted with a
 * location is indexed, MediaDeleted leaves a tombstone, ProfileUpdated with {@code privacy_changed} sets the owner's
 * privacy on their media. Everything else is acknowledged and ignored. Idempotent (see {@link GeoIndex}); a failure
 * throws, so the entry is retried with backoff.
 *
 * <p>Blocks (topic {@code follows}) are not indexed: who blocks whom is asked of svc-identity at query time
 * ({@link Visibility}), which is always current and costs no per-media rewrite when a prolific user blocks someone.
 */
final class GeoEvents implements EventHandler {

    static final String GROUP = "geo";

    private final IndexBatcher batcher;
    private final GeoIndex index;
    private final Duration timeout;

    GeoEvents(IndexBatcher batcher, GeoIndex index, Duration timeout) {
        this.batcher = requireNonNull(batcher, "batcher");
        this.index = requireNonNull(index, "index");
        this.timeout = requireNonNull(timeout, "timeout");
    }

    @Override
    public void handle(EventEnvelope event) throws Exception {
        switch (event.getPayloadCase()) {
            case MEDIA_POSTED -> {
                final MediaPosted posted = event.getMediaPosted();
                if (!posted.hasLocation() || !validPoint(posted.getLocation().getLat(), posted.getLocation().getLng())) {
                    return;
                }
                final Instant createdAt = posted.hasCreatedAt()
                        ? Instant.ofEpochSecond(posted.getCreatedAt().getSeconds(), posted.getCreatedAt().getNanos())
                        : Instant.ofEpochSecond(event.getOccurredAt().getSeconds(), event.getOccurredAt().getNanos());
                batcher.apply(new GeoIndex.Posted(posted.getMediaId(), posted.getOwnerId(), posted.getOwnerIsPrivate(),
                        posted.getLocation().getName(), posted.getLocation().getLat(), posted.getLocation().getLng(),
                        createdAt, posted.getTagsList()), timeout);
            }
            case MEDIA_DELETED -> batcher.apply(new GeoIndex.Deleted(event.getMediaDeleted().getMediaId()), timeout);
            case PROFILE_UPDATED -> {
                final ProfileUpdated updated = event.getProfileUpdated();
                if (updated.getPrivacyChanged()) {
                    index.setOwnerPrivacy(updated.getUserId(), updated.getIsPrivate());
                }
            }
            default -> {
                // Not geo's business (and unknown future payloads are acknowledged, never dead-lettered).
            }
        }
    }

    static boolean validPoint(double lat, double lng) {
        return Double.isFinite(lat) && Double.isFinite(lng) && lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180;
    }
}
