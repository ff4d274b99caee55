package io.pinhole.media.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes renditions as baseline JPEG. The image is written fresh from pixels with no metadata object, so nothing
 * of the upload's metadata (EXIF, GPS, XMP, ICC profile, comments) can reach a rendition; the writer adds only its
 * JFIF header (version and pixel density).
 */
final class JpegEncoder {

    static final float QUALITY = 0.85f;

    private JpegEncoder() {}

    static byte[] encode(BufferedImage rgb) {
        final ImageWriter writer = writer();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(rgb.getWidth() * rgb.getHeight() / 4 + 1024);
        // In memory, not ImageIO's default temporary files: renditions are small.
        try (ImageOutputStream output = new MemoryCacheImageOutputStream(bytes)) {
            final ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(QUALITY);
            writer.setOutput(output);
            writer.write(null, new IIOImage(rgb, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode a JPEG in memory", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static ImageWriter writer() {
        final Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("no ImageIO JPEG writer: the JDK's should always be there");
        }
        return writers.next();
    }
}
