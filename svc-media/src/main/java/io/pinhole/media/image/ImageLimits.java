package io.pinhole.media.image;

import io.pinhole.platform.config.Env;

/**
 * What the intake accepts.
 *
 * <p>Environment variables: {@code PINHOLE_MEDIA_MAX_UPLOAD_BYTES} (default 20,971,520 = 20 MiB) and
 * {@code PINHOLE_MEDIA_MAX_PIXELS} (default 50,000,000). Images whose long side is more than
 * {@link #MAX_ASPECT_RATIO} times their short side are refused too: their renditions would be slivers.
 *
 * @param maxBytes  the largest upload, in bytes
 * @param maxPixels the largest width × height, checked from the header before any decoding
 */
public record ImageLimits(long maxBytes, long maxPixels) {

    public static final long DEFAULT_MAX_BYTES = 20L * 1024 * 1024;
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    /**
     * WebP's pixel limit, below {@link #maxPixels()}: TwelveMonkeys decodes a WebP at full size (4 bytes a pixel)
     * before subsampling it, so 74 bytes declaring 4108×11010 one-colour pixels cost 180 MB of heap and 2 s of CPU
     * (found by ImageIntakeFuzzTest with a 256 MB heap). 4096×4096 is 64 MB; WebP photos are rarely larger.
     */
    public static final long MAX_WEBP_PIXELS = 4096L * 4096;
    /** Long side over short side; generous enough for phone panoramas. */
    public static final int MAX_ASPECT_RATIO = 20;

    public ImageLimits {
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBytes must be 1 to " + (Integer.MAX_VALUE - 8) + ", was " + maxBytes);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive, was " + maxPixels);
        }
    }

    public static ImageLimits defaults() {
        return new ImageLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS);
    }

    public static ImageLimits fromEnvironment(Env env) {
        return new ImageLimits(
                env.integer("PINHOLE_MEDIA_MAX_UPLOAD_BYTES", (int) DEFAULT_MAX_BYTES),
                env.integer("PINHOLE_MEDIA_MAX_PIXELS", (int) DEFAULT_MAX_PIXELS));
    }
}
