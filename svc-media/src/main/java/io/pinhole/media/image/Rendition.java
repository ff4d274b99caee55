package io.pinhole.media.image;

import static java.util.Objects.requireNonNull;

/**
 * One JPEG rendition: RGB, quality 0.85, no metadata block (no EXIF, GPS, XMP, ICC profile or comment).
 *
 * @param jpeg the encoded bytes; not copied, do not modify
 */
public record Rendition(RenditionKind kind, int width, int height, byte[] jpeg) {

    public static final String CONTENT_TYPE = "image/jpeg";

    public Rendition {
        requireNonNull(kind, "kind");
        requireNonNull(jpeg, "jpeg");
    }

    /** The size of the JPEG in bytes. */
    public int size() {
        return jpeg.length;
    }

    @Override
    public String toString() {
        return "Rendition[" + kind.id() + " " + width + "x" + height + ", " + jpeg.length + " bytes]";
    }
}
