package io.pinhole.platform.events;

import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The trimming policy of the event streams: an entry is removed only once every consumer group of its topic has had
 * it delivered and acknowledged. The boundary is, over all groups, the smallest of (the oldest pending entry, or the
 * entry after the last delivered one); {@code XTRIM MINID} removes what lies below it. A topic without groups is
 * never trimmed. Any consumer instance may run it; it is idempotent.
 */
public final class StreamTrimmer {

    private StreamTrimmer() {}

    /** Trims {@code topic}; returns how many entries were removed. */
    public static long trimAcknowledged(RedisCommands<String, byte[]> redis, String topic) {
        String boundary = null;
        for (Map<String, String> group : groups(redis, topic)) {
            final String name = group.get("name");
            final long pending = Long.parseLong(group.getOrDefault("pending", "0"));
            final String oldestPending = pending > 0
                    ? redis.xpending(topic, name).getMessageIds().getLower().getValue() : null;
            final String groupBoundary = boundary(oldestPending, group.getOrDefault("last-delivered-id", "0-0"));
            if (boundary == null || compare(groupBoundary, boundary) < 0) {
                boundary = groupBoundary;
            }
        }
        if (boundary == null) {
            return 0;
        }
        return redis.xtrim(topic, XTrimArgs.Builder.minId(boundary));
    }

    /**
     * A group's boundary: its oldest pending entry, or when none is pending the entry after its last delivered one.
     * {@code oldestPending} is also null when XINFO counted entries as pending that were acknowledged before XPENDING
     * ran (seen under load); the last delivered ID of that XINFO snapshot is then a safe, slightly low, boundary.
     */
    static String boundary(String oldestPending, String lastDelivered) {
        return oldestPending != null ? oldestPending : successor(lastDelivered);
    }

    /** XINFO GROUPS as one map of text fields per group. */
    static List<Map<String, String>> groups(RedisCommands<String, byte[]> redis, String topic) {
        if (redis.exists(topic) == 0) {
            return List.of();
        }
        return redis.xinfoGroups(topic).stream().map(raw -> {
            final List<?> fields = (List<?>) raw;
            final Map<String, String> group = new HashMap<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                group.put(text(fields.get(i)), text(fields.get(i + 1)));
            }
            return group;
        }).toList();
    }

    private static String text(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
    }

    private static String successor(String id) {
        final int dash = id.indexOf('-');
        return id.substring(0, dash) + "-" + (Long.parseLong(id.substring(dash + 1)) + 1);
    }

    static int compare(String a, String b) {
        final int dashA = a.indexOf('-');
        final int dashB = b.indexOf('-');
        final int byTime = Long.compare(Long.parseLong(a.substring(0, dashA)), Long.parseLong(b.substring(0, dashB)));
        return byTime != 0 ? byTime
                : Long.compare(Long.parseLong(a.substring(dashA + 1)), Long.parseLong(b.substring(dashB + 1)));
    }
}
