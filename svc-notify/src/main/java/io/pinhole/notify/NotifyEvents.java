package io.pinhole.notify;

import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.notify.Notifications.Kind;
import io.pinhole.platform.events.EventHandler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The {@code notify} consumer group: turns events into delivery jobs (pushes, webhooks, shares). Idempotent: every
 * job has a dedupe key derived from the event (comment ID, media ID, event ID, burst window), and a burst counts an
 * actor once, so a redelivered event inserts nothing new. Throws (the stream retries) when the database or Redis is
 * unreachable.
 */
final class NotifyEvents implements EventHandler {

    static final String GROUP = "notify";

    private final Jobs jobs;
    private final Notifications notifications;
    private final Webhooks webhooks;
    private final Sharing sharing;

    NotifyEvents(Jobs jobs, Notifications notifications, Webhooks webhooks, Sharing sharing) {
        this.jobs = jobs;
        this.notifications = notifications;
        this.webhooks = webhooks;
        this.sharing = sharing;
    }

    @Override
    public void handle(EventEnvelope event) {
        final Instant at = Instant.ofEpochSecond(event.getOccurredAt().getSeconds(), event.getOccurredAt().getNanos());
        final String eventId = event.getEventId();
        final List<Jobs.NewJob> work = new ArrayList<>();
        switch (event.getPayloadCase()) {
            case LIKED -> {
                final var liked = event.getLiked();
                if (liked.getLikerId() != liked.getOwnerId()) {
                    notifications.aggregate(liked.getOwnerId(), Kind.LIKE, liked.getLikerId(), liked.getMediaId(),
                                            eventId, at).ifPresent(work::add);
                }
            }
            case UNLIKED -> notifications.retract(event.getUnliked().getOwnerId(), event.getUnliked().getLikerId(),
                                                  event.getUnliked().getMediaId());
            case COMMENTED -> {
                final var commented = event.getCommented();
                final String dedupe = "comment:" + commented.getCommentId();
                if (commented.getAuthorId() != commented.getOwnerId()) {
                    work.add(notifications.single(commented.getOwnerId(), Kind.COMMENT, commented.getAuthorId(),
                            commented.getMediaId(), commented.getText(), dedupe, at, commented.getOwnerId(), false));
                }
                for (long mentioned : new LinkedHashSet<>(commented.getMentionedUserIdsList())) {
                    // The owner already hears of the comment itself.
                    if (mentioned != commented.getAuthorId() && mentioned != commented.getOwnerId()) {
                        work.add(notifications.single(mentioned, Kind.MENTION_COMMENT, commented.getAuthorId(),
                                commented.getMediaId(), commented.getText(), dedupe, at, commented.getOwnerId(), false));
                    }
                }
            }
            case FOLLOWED -> {
                final var followed = event.getFollowed();
                if (followed.getPending()) {
                    work.add(notifications.single(followed.getFolloweeId(), Kind.FOLLOW_REQUEST,
                            followed.getFollowerId(), 0, "", eventId, at, 0, false));
                } else if (followed.getApprovedRequest()) {
                    work.add(notifications.single(followed.getFollowerId(), Kind.FOLLOW_ACCEPTED,
                            followed.getFolloweeId(), 0, "", eventId, at, 0, false));
                } else {
                    notifications.aggregate(followed.getFolloweeId(), Kind.FOLLOW, followed.getFollowerId(), 0,
                                            eventId, at).ifPresent(work::add);
                }
            }
            case MEDIA_POSTED -> {
                final var posted = event.getMediaPosted();
                for (long mentioned : new LinkedHashSet<>(posted.getMentionedUserIdsList())) {
                    if (mentioned != posted.getOwnerId()) {
                        work.add(notifications.single(mentioned, Kind.MENTION_MEDIA, posted.getOwnerId(),
                                posted.getMediaId(), posted.getCaption(), "media:" + posted.getMediaId(), at,
                                posted.getOwnerId(), posted.getOwnerIsPrivate()));
                    }
                }
                work.addAll(webhooks.onMediaPosted(posted, at));
                work.addAll(sharing.onMediaPosted(posted, at));
            }
            default -> { }
        }
        if (!work.isEmpty()) {
            jobs.enqueue(work);
        }
    }
}
