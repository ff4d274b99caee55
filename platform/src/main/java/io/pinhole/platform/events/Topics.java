package io.pinhole.platform.events;

import io.pinhole.events.v1.EventEnvelope;
import java.util.List;

/**
 * The Redis Streams that carry {@link EventEnvelope}s, one per aggregate family (see events.proto), so that events of
 * one aggregate stay in order within their topic.
 */
public final class Topics {

    public static final String USERS = "pinhole.events.v1.users";
    public static final String FOLLOWS = "pinhole.events.v1.follows";
    public static final String MEDIA = "pinhole.events.v1.media";
    public static final String LIKES = "pinhole.events.v1.likes";
    public static final String COMMENTS = "pinhole.events.v1.comments";

    public static final List<String> ALL = List.of(USERS, FOLLOWS, MEDIA, LIKES, COMMENTS);

    private Topics() {}

    /** The topic an event belongs on, from its payload. */
    public static String of(EventEnvelope event) {
        return switch (event.getPayloadCase()) {
            case USER_SIGNED_UP, PROFILE_UPDATED -> USERS;
            case FOLLOWED, UNFOLLOWED, BLOCKED, UNBLOCKED -> FOLLOWS;
            case MEDIA_POSTED, MEDIA_DELETED -> MEDIA;
            case LIKED, UNLIKED -> LIKES;
            case COMMENTED, COMMENT_DELETED -> COMMENTS;
            case PAYLOAD_NOT_SET -> throw new IllegalArgumentException("event has no payload");
        };
    }
}
