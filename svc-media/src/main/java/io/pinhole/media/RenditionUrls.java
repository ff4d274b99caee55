package io.pinhole.media;

import io.pinhole.media.image.RenditionKind;
import io.pinhole.media.storage.MediaStorage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rendition URLs, reused while at least half of a presigned URL's lifetime is left. Presigning costs about 75 µs of
 * CPU (three per media, sixty for a page of twenty: measured with bench/), and a reused URL is also one the
 * browser and CDN can cache. Bounded (least recently used out); with a CDN base URL nothing is signed anyway.
 */
final class RenditionUrls {

    private record Signed(String url, long reusableUntilMillis) {}

    private final MediaStorage storage;
    private final long reuseMillis;
    private final Map<String, Signed> recent;

    RenditionUrls(MediaStorage storage, int capacity) {
        this.storage = storage;
        this.reuseMillis = storage.config().renditionUrlTtl().dividedBy(2).toMillis();
        this.recent = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Signed> eldest) {
                return size() > capacity;
            }
        };
    }

    String url(long mediaId, RenditionKind kind) {
        final String key = mediaId + "/" + kind.id();
        final long now = System.currentTimeMillis();
        synchronized (recent) {
            final Signed signed = recent.get(key);
            if (signed != null && signed.reusableUntilMillis() > now) {
                return signed.url();
            }
        }
        final String url = storage.renditionUrl(mediaId, kind).toString();
        synchronized (recent) {
            recent.put(key, new Signed(url, now + reuseMillis));
        }
        return url;
    }
}
