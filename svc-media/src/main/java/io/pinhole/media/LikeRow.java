package io.pinhole.media;

import java.time.Instant;

/** One like as listed: who and when. */
final class LikeRow {
    long mediaId;
    long userId;
    Instant createdAt;
}
