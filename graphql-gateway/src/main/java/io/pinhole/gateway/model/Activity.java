package io.pinhole.gateway.model;

import java.time.OffsetDateTime;

/**
 * The GraphQL {@code Activity}: one line of the viewer's activity, possibly aggregating several actors. {@code actor}
 * and {@code media} are resolved through the users and media DataLoaders.
 *
 * @param id svc-feed's stable item ID (opaque)
 * @param kind the GraphQL {@code ActivityKind} name
 * @param actorId the most recent actor
 * @param actorCount how many distinct actors in all ("x and actorCount - 1 others")
 * @param mediaId the media concerned; 0 for FOLLOW and FOLLOW_REQUEST
 * @param text the comment or caption text for COMMENT and MENTION; null otherwise
 */
public record Activity(String id, String kind, long actorId, int actorCount, long mediaId, String text,
                       OffsetDateTime createdAt) {
}
