package io.pinhole.media;

/**
 * Every memcached key svc-media reads or writes (DESIGN.md: one class per service). The {@code v1} is the format
 * version: change it whenever the stored bytes change.
 */
final class MediaKeys {

    private MediaKeys() {}

    /** A media as {@link MediaCache} stores it: a state byte, then the {@code pinhole.media.v1.Media} bytes. */
    static String media(long mediaId) {
        return "media:v1:" + mediaId;
    }
}
