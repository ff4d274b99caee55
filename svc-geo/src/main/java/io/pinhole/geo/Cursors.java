package io.pinhole.geo;

import io.pinhole.platform.error.PinholeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * Page cursors of svc-geo: Solr's cursorMark (the sort values of the last document of the page, so a page never
 * repeats or skips a document because of inserts at the head) wrapped with a version byte and a fingerprint of the
 * RPC and its parameters, URL-safe base64. A cursor from another RPC or other parameters, or one that is malformed,
 * is INVALID_ARGUMENT on {@code page.cursor}.
 */
final class Cursors {

    private static final byte VERSION = 1;
    private static final int MAX_LENGTH = 1024;

    private Cursors() {}

    /** The fingerprint of an RPC and the request parameters a cursor is valid for. */
    static byte[] scope(String rpc, Object... parameters) {
        try {
            final MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(rpc.getBytes(StandardCharsets.UTF_8));
            for (Object parameter : parameters) {
                final String text = parameter instanceof Double d ? Long.toHexString(Double.doubleToLongBits(d))
                        : String.valueOf(parameter);
                sha.update((byte) 0);
                sha.update(text.getBytes(StandardCharsets.UTF_8));
            }
            return Arrays.copyOf(sha.digest(), 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String encode(byte[] scope, String cursorMark) {
        final byte[] mark = cursorMark.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer bytes = ByteBuffer.allocate(1 + scope.length + mark.length).put(VERSION).put(scope).put(mark);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    /** The Solr cursorMark inside {@code cursor}; empty for the first page. */
    static Optional<String> decode(String cursor, byte[] scope) {
        if (cursor.isEmpty()) {
            return Optional.empty();
        }
        final byte[] bytes;
        try {
            bytes = cursor.length() <= MAX_LENGTH ? Base64.getUrlDecoder().decode(cursor) : new byte[0];
        } catch (IllegalArgumentException e) {
            throw malformed();
        }
        if (bytes.length <= 1 + scope.length || bytes[0] != VERSION
            || !Arrays.equals(bytes, 1, 1 + scope.length, scope, 0, scope.length)) {
            throw malformed();
        }
        return Optional.of(new String(bytes, 1 + scope.length, bytes.length - 1 - scope.length, StandardCharsets.UTF_8));
    }

    static PinholeException malformed() {
        return PinholeException.invalidArgument("page.cursor",
                "not a cursor from a previous page of this list with the same parameters");
    }
}
