package io.pinhole.media.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Test images made in code: nothing binary is committed, and each test shows what its input is. */
public final class TestImages {

    private TestImages() {}

    /** An opaque image of {@code color} with a red square of side {@code marker} in its top-left corner. */
    static BufferedImage withMarker(int width, int height, Color color, int marker) {
        final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D graphics = image.createGraphics();
        graphics.setColor(color);
        graphics.fillRect(0, 0, width, height);
        graphics.setColor(Color.RED);
        graphics.fillRect(0, 0, marker, marker);
        graphics.dispose();
        return image;
    }

    public static BufferedImage solid(int width, int height, Color color) {
        return withMarker(width, height, color, 0);
    }

    public static byte[] png(BufferedImage image) {
        return write(image, "png");
    }

    static byte[] gif(BufferedImage image) {
        return write(image, "gif");
    }

    public static byte[] jpeg(BufferedImage image) {
        return write(image, "jpeg");
    }

    private static byte[] write(BufferedImage image, String format) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, bytes)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * A four-channel (CMYK-style, Adobe APP14) JPEG written from a raster, as print workflows produce; such
     * files must come out as plain RGB renditions.
     */
    static byte[] cmykJpeg(int width, int height) {
        final WritableRaster raster = Raster.createInterleavedRaster(
                java.awt.image.DataBuffer.TYPE_BYTE, width, height, 4, null);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setPixel(x, y, new int[] {0, 200, 200, 0});
            }
        }
        final ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var output = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(output);
            writer.write(new IIOImage(raster, null, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** An image whose left half is fully transparent and right half opaque blue. */
    static BufferedImage halfTransparent(int width, int height) {
        final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        final Graphics2D graphics = image.createGraphics();
        graphics.setColor(Color.BLUE);
        graphics.fillRect(width / 2, 0, width - width / 2, height);
        graphics.dispose();
        return image;
    }

    /**
     * {@code jpeg} with, right after its SOI marker, an EXIF APP1 segment (IFD0 with the orientation and a GPS
     * IFD with a latitude), an XMP APP1 segment and a comment: everything a phone leaks that renditions must drop.
     */
    public static byte[] withMetadata(byte[] jpeg, int orientation) {
        final ByteBuffer tiff = ByteBuffer.allocate(140).order(ByteOrder.BIG_ENDIAN);
        tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8);
        // IFD0 at 8: two entries, then the offset of the next IFD (none).
        tiff.putShort((short) 2);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putShort((short) 0x8825).putShort((short) 4).putInt(1).putInt(38);
        tiff.putInt(0);
        // GPS IFD at 38: 48° 51' N, 2° 21' E (the degrees, minutes, seconds rationals at 92 and 116).
        tiff.putShort((short) 4);
        tiff.putShort((short) 0x0001).putShort((short) 2).putInt(2).put(new byte[] {'N', 0, 0, 0});
        tiff.putShort((short) 0x0002).putShort((short) 5).putInt(3).putInt(92);
        tiff.putShort((short) 0x0003).putShort((short) 2).putInt(2).put(new byte[] {'E', 0, 0, 0});
        tiff.putShort((short) 0x0004).putShort((short) 5).putInt(3).putInt(116);
        tiff.putInt(0);
        tiff.putInt(48).putInt(1).putInt(51).putInt(1).putInt(0).putInt(1);
        tiff.putInt(2).putInt(1).putInt(21).putInt(1).putInt(0).putInt(1);

        final byte[] exif = segment(0xE1, concat("Exif\0\0".getBytes(StandardCharsets.US_ASCII), tiff.array()));
        final byte[] xmp = segment(0xE1, ("http://ns.adobe.com/xap/1.0/\0"
                + "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
                + "<rdf:Description xmlns:dc=\"http://purl.org/dc/elements/1.1/\" dc:format=\"image/jpeg\"/>"
                + "</rdf:RDF></x:xmpmeta>").getBytes(StandardCharsets.UTF_8));
        final byte[] comment = segment(0xFE, "taken at home".getBytes(StandardCharsets.US_ASCII));
        return concat(Arrays.copyOf(jpeg, 2), exif, xmp, comment, Arrays.copyOfRange(jpeg, 2, jpeg.length));
    }

    private static byte[] segment(int marker, byte[] payload) {
        final int length = payload.length + 2;
        return concat(new byte[] {(byte) 0xFF, (byte) marker, (byte) (length >> 8), (byte) length}, payload);
    }

    /**
     * A PNG that declares {@code width}×{@code height} but holds one compressed scan line: a few hundred bytes that
     * a naive decoder would turn into width×height×3 bytes of memory.
     */
    public static byte[] pngHeaderOnly(int width, int height) {
        final ByteBuffer header = ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0); // 8-bit RGB
        final Deflater deflater = new Deflater();
        deflater.setInput(new byte[Math.max(1, width) * 3 + 1]);
        deflater.finish();
        final byte[] compressed = new byte[1024 + width / 100];
        final int length = deflater.deflate(compressed);
        return concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'},
                chunk("IHDR", header.array()), chunk("IDAT", Arrays.copyOf(compressed, length)), chunk("IEND", new byte[0]));
    }

    private static byte[] chunk(String type, byte[] data) {
        final byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        final CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        return concat(ByteBuffer.allocate(4).putInt(data.length).array(), typeBytes, data,
                ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /**
     * A lossless WebP (VP8L, RFC 9649) of one colour. No WebP writer exists in ImageIO; a one-colour image needs no
     * real encoder: with no transforms and a one-symbol prefix code per channel every pixel takes zero bits.
     */
    static byte[] solidWebp(int width, int height, int argb) {
        final BitWriter bits = new BitWriter();
        bits.write(0x2F, 8); // VP8L signature
        bits.write(width - 1, 14);
        bits.write(height - 1, 14);
        bits.write((argb >>> 24) == 0xFF ? 0 : 1, 1); // alpha used
        bits.write(0, 3); // version
        bits.write(0, 1); // no transform
        bits.write(0, 1); // no colour cache
        bits.write(0, 1); // no meta prefix codes
        for (int symbol : new int[] {(argb >> 8) & 0xFF, (argb >> 16) & 0xFF, argb & 0xFF, argb >>> 24, 0}) {
            bits.write(1, 1); // simple code
            bits.write(0, 1); // one symbol
            bits.write(1, 1); // eight bits for it
            bits.write(symbol, 8);
        }
        final byte[] data = bits.toByteArray();
        final byte[] padded = Arrays.copyOf(data, data.length + (data.length % 2));
        final ByteBuffer riff = ByteBuffer.allocate(20 + padded.length).order(ByteOrder.LITTLE_ENDIAN);
        riff.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(12 + padded.length)
                .put("WEBPVP8L".getBytes(StandardCharsets.US_ASCII)).putInt(data.length).put(padded);
        return riff.array();
    }

    static byte[] concat(byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Least significant bit first, as VP8L reads them. */
    private static final class BitWriter {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private long buffer;
        private int count;

        void write(int value, int width) {
            buffer |= ((long) value & ((1L << width) - 1)) << count;
            count += width;
            while (count >= 8) {
                bytes.write((int) (buffer & 0xFF));
                buffer >>>= 8;
                count -= 8;
            }
        }

        byte[] toByteArray() {
            if (count > 0) {
                bytes.write((int) (buffer & 0xFF));
                buffer = 0;
                count = 0;
            }
            return bytes.toByteArray();
        }
    }
}
