package io.pinhole.platform.page;

import io.pinhole.common.v1.PageRequest;
import io.pinhole.platform.error.PinholeException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Optional;

/**
 * Page sizes and opaque cursors for {@code pinhole.common.v1.PageRequest}. A cursor is a few longs (typically the
 * sort key of the last item: a time and an ID) behind a version byte, URL-safe base64 encoded: opaque to clients,
 * and a malformed one is INVALID_ARGUMENT on {@code page.cursor}, never an exception.
 */
public final class Pages {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 50;
    private static final byte VERSION = 1;

    private Pages() {}

    /** The page size asked for: 0 means {@value #DEFAULT_LIMIT}; outside 1–{@value #MAX_LIMIT} is INVALID_ARGUMENT. */
    public static int limit(PageRequest page) {
        return limit(page, DEFAULT_LIMIT, MAX_LIMIT);
    }

    public static int limit(PageRequest page, int defaultLimit, int maxLimit) {
        if (page.getLimit() == 0) {
            return defaultLimit;
        }
        if (page.getLimit() < 0 || page.getLimit() > maxLimit) {
            throw PinholeException.invalidArgument("page.limit", "must be between 1 and " + maxLimit);
        }
        return page.getLimit();
    }

    /** A cursor holding {@code parts}. */
    public static String cursor(long... parts) {
        final ByteBuffer bytes = ByteBuffer.allocate(1 + Long.BYTES * parts.length).put(VERSION);
        for (long part : parts) {
            bytes.putLong(part);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    /** The {@code parts} longs of the page's cursor; empty for the first page. */
    public static Optional<long[]> decode(PageRequest page, int parts) {
        final String cursor = page.getCursor();
        if (cursor.isEmpty()) {
            return Optional.empty();
        }
        final byte[] bytes;
        try {
            bytes = cursor.length() <= 1024 ? Base64.getUrlDecoder().decode(cursor) : new byte[0];
        } catch (IllegalArgumentException e) {
            throw malformed();
        }
        if (bytes.length != 1 + Long.BYTES * parts || bytes[0] != VERSION) {
            throw malformed();
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
        final long[] values = new long[parts];
        for (int i = 0; i < parts; i++) {
            values[i] = buffer.getLong();
        }
        return Optional.of(values);
    }

    private static PinholeException malformed() {
        return PinholeException.invalidArgument("page.cursor", "not a cursor from a previous page of this list");
    }
}
