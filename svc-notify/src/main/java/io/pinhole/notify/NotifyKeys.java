package io.pinhole.notify;

/**
 * svc-notify's Redis keys, versioned. A burst's keys share one hash tag (recipient and group) so that the scripts
 * that touch them stay on one slot of a Redis Cluster.
 */
final class NotifyKeys {

    private NotifyKeys() {}

    /** Sorted set: actors of the open burst (score: when they acted). */
    static String burst(long recipient, String group) {
        return "notify:burst:{" + recipient + ":" + group + "}:actors:v1";
    }

    /** String: the open burst's window ID; absent when no burst is open. */
    static String burstOpen(long recipient, String group) {
        return "notify:burst:{" + recipient + ":" + group + "}:open:v1";
    }

    /** Set: actors already counted for this recipient and group (a day), so a repeat never pushes twice. */
    static String burstSeen(long recipient, String group) {
        return "notify:burst:{" + recipient + ":" + group + "}:seen:v1";
    }

    /** Sorted set: the actors a window's job took (kept a day for its retries). */
    static String burstTaken(long recipient, String group, String window) {
        return "notify:burst:{" + recipient + ":" + group + "}:taken:" + window + ":v1";
    }

    /** Counter: the app icon badge (pushes since it was last reset). */
    static String badge(long recipient) {
        return "notify:badge:" + recipient + ":v1";
    }
}
