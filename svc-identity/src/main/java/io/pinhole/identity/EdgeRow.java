package io.pinhole.identity;

import java.time.Instant;

/**
 * One side of a follow edge or of a block as stored in a shard: {@code userId} is the other user, seen from the
 * row's owner. {@code pending} is false for blocks.
 */
final class EdgeRow {
    long userId;
    boolean pending;
    Instant createdAt;
}
