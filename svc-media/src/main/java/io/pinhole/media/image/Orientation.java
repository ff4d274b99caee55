package io.pinhole.media.image;

import com.drew.imaging.FileType;
import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import java.awt.geom.AffineTransform;
import java.io.ByteArrayInputStream;

/**
 * The EXIF orientation (TIFF tag 0x0112): how the stored pixels must be turned to appear upright. Cameras store
 * the sensor's rows as they come and record the turn here instead of rotating the pixels.
 */
enum Orientation {
    NORMAL,
    FLIP_HORIZONTAL,
    ROTATE_180,
    FLIP_VERTICAL,
    TRANSPOSE,
    ROTATE_90_CLOCKWISE,
    TRANSVERSE,
    ROTATE_90_COUNTERCLOCKWISE;

    /** EXIF values 1–8; anything else (absent, 0, 9…) means the pixels are already upright. */
    static Orientation fromExif(int value) {
        return value >= 1 && value <= 8 ? values()[value - 1] : NORMAL;
    }

    /** The orientation recorded in the image's EXIF; {@link #NORMAL} when there is none or it cannot be read. */
    static Orientation of(byte[] image, ImageType type) {
        try {
            final Metadata metadata = ImageMetadataReader.readMetadata(
                    new ByteArrayInputStream(image), image.length, fileType(type));
            final ExifIFD0Directory exif = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
            if (exif == null || !exif.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                return NORMAL;
            }
            return fromExif(exif.getInt(ExifIFD0Directory.TAG_ORIENTATION));
        } catch (Exception malformedMetadata) {
            // Broken metadata does not make broken pixels: the decoder decides whether the image is usable.
            return NORMAL;
        }
    }

    private static FileType fileType(ImageType type) {
        return switch (type) {
            case JPEG -> FileType.Jpeg;
            case PNG -> FileType.Png;
            case WEBP -> FileType.WebP;
            case GIF -> FileType.Gif;
        };
    }

    /** Whether the upright image is the stored one turned a quarter: width and height swap. */
    boolean swapsSides() {
        return ordinal() >= TRANSPOSE.ordinal();
    }

    /** Maps stored pixel coordinates to upright ones, for a stored image of {@code width} × {@code height}. */
    AffineTransform transform(int width, int height) {
        // AffineTransform(m00, m10, m01, m11, m02, m12): x' = m00·x + m01·y + m02, y' = m10·x + m11·y + m12.
        return switch (this) {
            case NORMAL -> new AffineTransform();
            case FLIP_HORIZONTAL -> new AffineTransform(-1, 0, 0, 1, width, 0);
            case ROTATE_180 -> new AffineTransform(-1, 0, 0, -1, width, height);
            case FLIP_VERTICAL -> new AffineTransform(1, 0, 0, -1, 0, height);
            case TRANSPOSE -> new AffineTransform(0, 1, 1, 0, 0, 0);
            case ROTATE_90_CLOCKWISE -> new AffineTransform(0, 1, -1, 0, height, 0);
            case TRANSVERSE -> new AffineTransform(0, -1, -1, 0, height, width);
            case ROTATE_90_COUNTERCLOCKWISE -> new AffineTransform(0, -1, 1, 0, 0, width);
        };
    }
}
