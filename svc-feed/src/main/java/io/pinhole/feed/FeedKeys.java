package io.pinhole.feed;

/**
 * Every Redis key svc-feed reads or writes (DESIGN.md: one class per service). The {@code v1} is the format version:
 * change it whenever the stored bytes change.
 */
final class FeedKeys {

    private FeedKeys() {}

    /**
     * A user's home timeline: media IDs as 8-byte big-endian integers, packed in one string, newest (largest) first,
     * at most the cap. Exists only for active users: it expires after the inactivity period, and every read renews
     * it. An empty string is an empty timeline.
     */
    static String timeline(long userId) {
        return "feed:timeline:v1:" + userId;
    }

    /** Set: accounts at or above the fan-out threshold ("huge"); their posts are merged in at read time. */
    static String hugeAccounts() {
        return "feed:huge-accounts:v1";
    }

    /** Set: the huge accounts a user follows. */
    static String hugeFollowees(long userId) {
        return "feed:huge-followees:v1:" + userId;
    }

    /** A huge account's most recent media IDs, packed like a timeline. */
    static String authorRecent(long userId) {
        return "feed:author-recent:v1:" + userId;
    }

    /** Sorted set: a user's activity item IDs, scored by the time of their latest actor (milliseconds). */
    static String activity(long userId) {
        return "feed:activity:v1:" + userId;
    }

    /** Hash: a user's activity items, item ID → {@code pinhole.feed.v1.Activity} bytes. */
    static String activityItems(long userId) {
        return "feed:activity-items:v1:" + userId;
    }

    /** Set: the distinct actors of one aggregated activity item (for "x and N others"). */
    static String activityActors(long userId, String itemId) {
        return "feed:activity-actors:v1:" + userId + ":" + itemId;
    }

    /** Sorted set: likes and comments per media in one hour (the hour since the epoch is in the key). */
    static String popularHour(long hour) {
        return "feed:popular-hour:v1:" + hour;
    }

    /** Sorted set: the current popular ranking (decayed sum of the recent hours), recomputed every minute. */
    static String popular() {
        return "feed:popular:v1";
    }
}
