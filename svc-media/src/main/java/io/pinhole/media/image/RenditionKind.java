package io.pinhole.media.image;

/** The JPEG renditions made of every photo. None is ever upscaled: a smaller original keeps its size. */
public enum RenditionKind {
    /** A square cropped from the centre, 150×150. */
    THUMBNAIL(150, true),
    /** 320 pixels wide, height by aspect ratio. */
    LOW(320, false),
    /** 1080 pixels wide, height by aspect ratio. */
    STANDARD(1080, false);

    private final int width;
    private final boolean square;

    RenditionKind(int width, boolean square) {
        this.width = width;
        this.square = square;
    }

    /** The target width in pixels (and height, for the square thumbnail). */
    public int width() {
        return width;
    }

    /** Whether the rendition is a centre-cropped square. */
    public boolean square() {
        return square;
    }

    /** The lower-case name used in storage keys and APIs: {@code thumbnail}, {@code low}, {@code standard}. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
