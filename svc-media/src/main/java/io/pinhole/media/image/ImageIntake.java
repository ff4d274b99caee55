package io.pinhole.media.image;

import static java.util.Objects.requireNonNull;

import io.pinhole.media.image.ImageRejectedException.Reason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns uploaded bytes into an accepted image with its renditions, or refuses them.
 *
 * <p>In order: size limit; type sniffed from the magic bytes; width and height read from the header and checked
 * against {@link ImageLimits#maxPixels()} before a single pixel is decoded (a few hundred bytes of PNG may declare 20000×20000,
 * over a gigabyte once decoded); decoding with ImageIO (TwelveMonkeys for JPEG, CMYK and odd markers included, and WebP; the
 * JDK for PNG and GIF); the EXIF orientation applied; renditions written as fresh JPEGs without metadata.
 *
 * <p>Thread-safe; CPU-bound and blocking (a 12-megapixel photo takes a few hundred milliseconds): never call it on
 * an event loop.
 */
public final class ImageIntake {

    static {
        // Registers TwelveMonkeys' readers also where ImageIO was first used by another class loader (application
        // servers, some test runners); on a plain class path the service loader has already found them.
        ImageIO.scanForPlugins();
    }

    /**
     * Images are decoded subsampled down to at least twice the largest rendition on their short side: a 50-megapixel
     * photo then needs about 50 MB of pixels instead of 200 MB, and the renditions are still downscaled from twice
     * their size.
     */
    private static final int DECODE_SHORT_SIDE = 2 * RenditionKind.STANDARD.width();

    private final ImageLimits limits;

    private ImageIntake(ImageLimits limits) {
        this.limits = requireNonNull(limits, "limits");
    }

    public static ImageIntake of(ImageLimits limits) {
        return new ImageIntake(limits);
    }

    public ImageLimits limits() {
        return limits;
    }

    /**
     * Reads {@code upload} to its end, or until it proves larger than the limit, then {@linkplain #process(byte[])
     * processes} it. Does not close the stream.
     *
     * @throws IOException when reading the stream fails (not the image's fault)
     */
    public ProcessedImage process(InputStream upload) throws ImageRejectedException, IOException {
        requireNonNull(upload, "upload");
        // One byte more than allowed tells "exactly the limit" from "too large" without reading everything.
        final byte[] bytes = upload.readNBytes((int) limits.maxBytes() + 1);
        return process(bytes);
    }

    /** Checks, decodes and renders {@code upload}, which is kept (not copied) as the original. */
    public ProcessedImage process(byte[] upload) throws ImageRejectedException {
        requireNonNull(upload, "upload");
        if (upload.length == 0) {
            throw new ImageRejectedException(Reason.EMPTY, "the image is empty");
        }
        if (upload.length > limits.maxBytes()) {
            throw new ImageRejectedException(Reason.TOO_LARGE,
                    "the image is larger than " + limits.maxBytes() + " bytes");
        }
        final ImageType type = ImageType.sniff(upload).orElseThrow(() -> new ImageRejectedException(
                Reason.UNSUPPORTED_TYPE, "not a JPEG, PNG, WebP or GIF image"));
        final Decoded decoded = decode(upload, type);
        final Orientation orientation = Orientation.of(upload, type);
        final BufferedImage upright = Resizing.uprightRgb(decoded.pixels(), orientation);
        final List<Rendition> renditions = new ArrayList<>();
        for (RenditionKind kind : RenditionKind.values()) {
            final BufferedImage pixels = Resizing.rendition(upright, kind);
            renditions.add(new Rendition(kind, pixels.getWidth(), pixels.getHeight(), JpegEncoder.encode(pixels)));
        }
        // The upright size of the original, not of the possibly subsampled pixels.
        return orientation.swapsSides()
                ? new ProcessedImage(type, decoded.height(), decoded.width(), upload, renditions)
                : new ProcessedImage(type, decoded.width(), decoded.height(), upload, renditions);
    }

    /** The stored (not yet upright) size from the header, and the pixels, possibly subsampled. */
    private record Decoded(int width, int height, BufferedImage pixels) {}

    private Decoded decode(byte[] upload, ImageType type) throws ImageRejectedException {
        if (type == ImageType.WEBP && riffSize(upload) + 8 > upload.length) {
            // Checked here because the decoder reads past the end (see input()): it cannot tell a cut file.
            throw new ImageRejectedException(Reason.CORRUPT, "the image is truncated");
        }
        final ImageReader reader = reader(type);
        final List<String> warnings = new ArrayList<>();
        try (ImageInputStream input = input(upload, type)) {
            // Forward only: nothing is buffered twice. Metadata is ignored here: the orientation is read apart.
            reader.setInput(input, true, true);
            final int width = reader.getWidth(0);
            final int height = reader.getHeight(0);
            checkDimensions(width, height, type);
            final ImageReadParam param = reader.getDefaultReadParam();
            final int subsampling = Math.max(1, Math.min(width, height) / DECODE_SHORT_SIDE);
            param.setSourceSubsampling(subsampling, subsampling, 0, 0);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            final BufferedImage pixels = reader.read(0, param);
            if (warnings.stream().anyMatch(ImageIntake::meansTruncated)) {
                throw new ImageRejectedException(Reason.CORRUPT, "the image is truncated");
            }
            return new Decoded(width, height, pixels);
        } catch (IOException | RuntimeException malformed) {
            // Decoders fail on hostile input with whatever they hit first (EOFException, IIOException, but also
            // IndexOutOfBoundsException, IllegalArgumentException…): all of them mean the bytes are not an image.
            throw new ImageRejectedException(Reason.CORRUPT, "the image is truncated or corrupt", malformed);
        } finally {
            reader.dispose();
        }
    }

    private void checkDimensions(int width, int height, ImageType type) throws ImageRejectedException {
        if (width < 1 || height < 1) {
            throw new ImageRejectedException(Reason.INVALID_DIMENSIONS,
                    "the image declares a size of " + width + "x" + height);
        }
        if (type == ImageType.WEBP && (long) width * height > ImageLimits.MAX_WEBP_PIXELS) {
            throw new ImageRejectedException(Reason.TOO_MANY_PIXELS, "the WebP image has " + width + "x" + height
                    + " pixels, more than " + ImageLimits.MAX_WEBP_PIXELS);
        }
        if ((long) width * height > limits.maxPixels()) {
            throw new ImageRejectedException(Reason.TOO_MANY_PIXELS, "the image has " + width + "x" + height
                    + " pixels, more than " + limits.maxPixels());
        }
        if (Math.max(width, height) / Math.min(width, height) > ImageLimits.MAX_ASPECT_RATIO) {
            throw new ImageRejectedException(Reason.INVALID_DIMENSIONS, "the image is " + width + "x" + height
                    + ", more than " + ImageLimits.MAX_ASPECT_RATIO + " times longer than wide");
        }
    }

    /**
     * JPEG decoders treat a missing end as a warning and paint the rest grey ("Premature end of JPEG file"); a
     * photo cut in half must be refused, not posted half grey.
     */
    private static boolean meansTruncated(String warning) {
        final String lower = warning.toLowerCase(java.util.Locale.ROOT);
        return lower.contains("premature end") || lower.contains("truncated");
    }

    /**
     * The upload as an ImageIO stream; for WebP, followed by a few zero bytes and then a hard end.
     *
     * <p>TwelveMonkeys' WebP lossless bit reader takes the end of the data for more bits: it catches the EOFException
     * of every read past the end and carries on. Past the end, each symbol then costs a thrown exception: 39 bytes
     * declaring 4108×11010 pixels kept a core busy for minutes (found by ImageIntakeFuzzTest), and a one-colour
     * image, whose pixels take zero bits, cost as much. The zero bytes feed the reader's 8-byte look-ahead at the end
     * of a well-formed stream; a decoder that wants more than that is reading data the upload does not hold, and
     * gets an unchecked exception that it cannot swallow as it swallows EOFException.
     */
    private static ImageInputStream input(byte[] upload, ImageType type) {
        if (type != ImageType.WEBP) {
            return new MemoryCacheImageInputStream(new ByteArrayInputStream(upload));
        }
        return new MemoryCacheImageInputStream(new ByteArrayInputStream(
                java.util.Arrays.copyOf(upload, upload.length + WEBP_PADDING))) {
            @Override
            public int read() throws IOException {
                return checked(super.read());
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                return length == 0 ? 0 : checked(super.read(bytes, offset, length));
            }

            private int checked(int result) {
                if (result < 0) {
                    throw new java.io.UncheckedIOException(new java.io.EOFException("read past the end of the image"));
                }
                return result;
            }
        };
    }

    /** The size a RIFF container declares for what follows its 8-byte header (little-endian, unsigned). */
    private static long riffSize(byte[] riff) {
        return java.nio.ByteBuffer.wrap(riff, 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFF_FFFFL;
    }

    /** Twice the bit reader's look-ahead (one long). */
    private static final int WEBP_PADDING = 16;

    private static ImageReader reader(ImageType type) {
        final Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(type.imageIoFormat());
        if (!readers.hasNext()) {
            throw new IllegalStateException("no ImageIO reader for " + type + ": is TwelveMonkeys on the class path?");
        }
        return readers.next();
    }
}
