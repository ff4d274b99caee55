package io.pinhole.media.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Directory;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.GpsDirectory;
import com.drew.metadata.jpeg.JpegCommentDirectory;
import com.drew.metadata.xmp.XmpDirectory;
import io.pinhole.media.image.ImageRejectedException.Reason;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageIntakeTest {

    private final ImageIntake intake = ImageIntake.of(ImageLimits.defaults());

    @Test
    void upload_largeJpeg_givesThreeRenditionsAtTheirWidths() throws Exception {
        final byte[] upload = TestImages.jpeg(TestImages.solid(2000, 1500, Color.GREEN));

        final ProcessedImage image = intake.process(upload);

        assertThat(image.type()).isEqualTo(ImageType.JPEG);
        assertThat(image.originalContentType()).isEqualTo("image/jpeg");
        assertThat(image.original()).isSameAs(upload);
        assertThat(List.of(image.width(), image.height())).containsExactly(2000, 1500);
        assertThat(image.renditions()).extracting(Rendition::kind).containsExactly(RenditionKind.values());
        assertSize(image.rendition(RenditionKind.THUMBNAIL), 150, 150);
        assertSize(image.rendition(RenditionKind.LOW), 320, 240);
        assertSize(image.rendition(RenditionKind.STANDARD), 1080, 810);
    }

    @Test
    void upload_narrowerThanARendition_isNeverUpscaled() throws Exception {
        final ProcessedImage image = intake.process(TestImages.png(TestImages.solid(500, 300, Color.GREEN)));

        assertSize(image.rendition(RenditionKind.STANDARD), 500, 300);
        assertSize(image.rendition(RenditionKind.LOW), 320, 192);
        assertSize(image.rendition(RenditionKind.THUMBNAIL), 150, 150);
    }

    @Test
    void upload_smallerThanTheThumbnail_keepsItsShortSideAsTheSquare() throws Exception {
        final ProcessedImage image = intake.process(TestImages.png(TestImages.solid(100, 80, Color.GREEN)));

        assertSize(image.rendition(RenditionKind.THUMBNAIL), 80, 80);
        assertSize(image.rendition(RenditionKind.LOW), 100, 80);
        assertSize(image.rendition(RenditionKind.STANDARD), 100, 80);
    }

    @Test
    void thumbnail_isCroppedFromTheCentre() throws Exception {
        // 300×100: a red band on the left third, green in the middle, blue on the right. The square is the middle.
        final BufferedImage bands = TestImages.solid(300, 100, Color.GREEN);
        final var graphics = bands.createGraphics();
        graphics.setColor(Color.RED);
        graphics.fillRect(0, 0, 100, 100);
        graphics.setColor(Color.BLUE);
        graphics.fillRect(200, 0, 100, 100);
        graphics.dispose();

        final BufferedImage thumbnail = decode(intake.process(TestImages.png(bands)).rendition(RenditionKind.THUMBNAIL));

        assertThat(thumbnail.getWidth()).isEqualTo(100);
        assertThat(new Color(thumbnail.getRGB(3, 50))).satisfies(TestColors::isGreen);
        assertThat(new Color(thumbnail.getRGB(96, 50))).satisfies(TestColors::isGreen);
    }

    @Test
    void upload_withExifOrientation6_isTurnedUpright() throws Exception {
        // Stored 200×100 with a red marker top-left; orientation 6 says "turn 90° clockwise to view".
        final byte[] upload = TestImages.withMetadata(
                TestImages.jpeg(TestImages.withMarker(200, 100, Color.BLUE, 40)), 6);

        final ProcessedImage image = intake.process(upload);

        assertThat(List.of(image.width(), image.height())).containsExactly(100, 200);
        final Rendition standard = image.rendition(RenditionKind.STANDARD);
        assertSize(standard, 100, 200);
        final BufferedImage upright = decode(standard);
        assertThat(new Color(upright.getRGB(80, 20))).satisfies(TestColors::isRed); // the marker is now top-right
        assertThat(new Color(upright.getRGB(20, 20))).satisfies(TestColors::isBlue);
        assertThat(new Color(upright.getRGB(80, 180))).satisfies(TestColors::isBlue);
    }

    @Test
    void upload_withEveryOrientation_putsTheStoredTopLeftCornerWhereExifSays() throws Exception {
        // Where the stored top-left pixel appears once upright, for EXIF orientations 1–8 (x, y as fractions).
        final double[][] corner = {{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}, {1, 0}, {1, 1}, {0, 1}};
        for (int orientation = 1; orientation <= 8; orientation++) {
            final byte[] upload = TestImages.withMetadata(
                    TestImages.jpeg(TestImages.withMarker(200, 100, Color.BLUE, 40)), orientation);
            final BufferedImage upright = decode(intake.process(upload).rendition(RenditionKind.STANDARD));
            final int x = (int) (corner[orientation - 1][0] * (upright.getWidth() - 1));
            final int y = (int) (corner[orientation - 1][1] * (upright.getHeight() - 1));
            final int inset = 10;
            assertThat(new Color(upright.getRGB(Math.abs(x - inset), Math.abs(y - inset))))
                    .as("orientation %d", orientation).satisfies(TestColors::isRed);
            assertThat(upright.getWidth()).as("orientation %d", orientation).isEqualTo(orientation >= 5 ? 100 : 200);
        }
    }

    @Test
    void renditions_carryNoMetadata_whileTheOriginalKeepsIt() throws Exception {
        final byte[] upload = TestImages.withMetadata(TestImages.jpeg(TestImages.solid(400, 300, Color.GRAY)), 1);
        final Metadata original = ImageMetadataReader.readMetadata(new ByteArrayInputStream(upload));
        assertThat(original.getFirstDirectoryOfType(GpsDirectory.class).getGeoLocation().getLatitude()).isEqualTo(48.85);
        assertThat(original.containsDirectoryOfType(XmpDirectory.class)).isTrue();
        assertThat(original.containsDirectoryOfType(JpegCommentDirectory.class)).isTrue();

        final ProcessedImage image = intake.process(upload);

        assertThat(image.original()).isEqualTo(upload);
        for (Rendition rendition : image.renditions()) {
            final Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(rendition.jpeg()));
            assertThat(metadata.getDirectories()).extracting(Directory::getName).as(rendition.toString())
                    .doesNotContain("GPS", "Exif IFD0", "Exif SubIFD", "XMP", "ICC Profile", "JpegComment");
            assertThat(metadata.containsDirectoryOfType(GpsDirectory.class)).isFalse();
            assertThat(metadata.containsDirectoryOfType(ExifIFD0Directory.class)).isFalse();
            assertThat(metadata.containsDirectoryOfType(XmpDirectory.class)).isFalse();
            assertThat(metadata.containsDirectoryOfType(JpegCommentDirectory.class)).isFalse();
            assertThat(new String(rendition.jpeg(), StandardCharsets.ISO_8859_1)).doesNotContain("Exif", "taken at home");
        }
    }

    @Test
    void pngWithAlpha_isLaidOverWhite() throws Exception {
        final ProcessedImage image = intake.process(TestImages.png(TestImages.halfTransparent(400, 200)));

        assertThat(image.type()).isEqualTo(ImageType.PNG);
        final BufferedImage standard = decode(image.rendition(RenditionKind.STANDARD));
        assertThat(standard.getColorModel().hasAlpha()).isFalse();
        assertThat(new Color(standard.getRGB(50, 100))).satisfies(TestColors::isWhite);
        assertThat(new Color(standard.getRGB(350, 100))).satisfies(TestColors::isBlue);
    }

    @Test
    void webp_isDecoded() throws Exception {
        final ProcessedImage image = intake.process(TestImages.solidWebp(640, 480, 0xFF_00_00_FF));

        assertThat(image.type()).isEqualTo(ImageType.WEBP);
        assertThat(image.originalContentType()).isEqualTo("image/webp");
        assertSize(image.rendition(RenditionKind.STANDARD), 640, 480);
        assertSize(image.rendition(RenditionKind.LOW), 320, 240);
        assertThat(new Color(decode(image.rendition(RenditionKind.LOW)).getRGB(160, 120))).satisfies(TestColors::isBlue);
    }

    @Test
    void transparentWebp_isLaidOverWhite() throws Exception {
        final ProcessedImage image = intake.process(TestImages.solidWebp(64, 64, 0x00_FF_00_00));

        assertThat(new Color(decode(image.rendition(RenditionKind.STANDARD)).getRGB(32, 32))).satisfies(TestColors::isWhite);
    }

    @Test
    void gif_isDecoded() throws Exception {
        final ProcessedImage image = intake.process(TestImages.gif(TestImages.solid(200, 100, Color.BLUE)));

        assertThat(image.type()).isEqualTo(ImageType.GIF);
        assertSize(image.rendition(RenditionKind.STANDARD), 200, 100);
    }

    @Test
    void cmykJpeg_isDecodedAsRgb() throws Exception {
        final ProcessedImage image = intake.process(TestImages.cmykJpeg(300, 200));

        assertThat(image.type()).isEqualTo(ImageType.JPEG);
        assertSize(image.rendition(RenditionKind.STANDARD), 300, 200);
    }

    @Test
    void hugeImage_isDecodedSubsampled_butReportsItsFullSize() throws Exception {
        final ProcessedImage image = intake.process(TestImages.png(TestImages.withMarker(4800, 4400, Color.BLUE, 400)));

        assertThat(List.of(image.width(), image.height())).containsExactly(4800, 4400);
        assertSize(image.rendition(RenditionKind.STANDARD), 1080, 990);
        assertThat(new Color(decode(image.rendition(RenditionKind.STANDARD)).getRGB(40, 40))).satisfies(TestColors::isRed);
    }

    @Test
    void upload_fromAStream_isReadToItsEnd() throws Exception {
        final byte[] upload = TestImages.png(TestImages.solid(50, 40, Color.GREEN));

        final ProcessedImage image = intake.process(new ByteArrayInputStream(upload));

        assertThat(image.original()).isEqualTo(upload);
        assertThat(List.of(image.width(), image.height())).containsExactly(50, 40);
    }

    @Test
    void upload_decompressionBomb_isRejectedFromItsHeader_withoutAllocatingThePixels() {
        final byte[] bomb = TestImages.pngHeaderOnly(20_000, 20_000); // 400 megapixels, 1.2 GB as RGB
        assertThat(bomb.length).isLessThan(2_000);
        final var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long allocatedBefore = threads.getCurrentThreadAllocatedBytes();

        final var rejection = catchThrowableOfType(ImageRejectedException.class, () -> intake.process(bomb));

        final long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        assertThat(rejection.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
        assertThat(rejection.field()).isEqualTo("content");
        assertThat(rejection.getMessage()).contains("20000x20000");
        assertThat(allocated).as("bytes allocated while refusing").isLessThan(16L * 1024 * 1024);
    }

    @Test
    void pixelLimit_isConfigurable() {
        final ImageIntake strict = ImageIntake.of(new ImageLimits(ImageLimits.DEFAULT_MAX_BYTES, 10_000));

        final var rejection = catchThrowableOfType(ImageRejectedException.class,
                () -> strict.process(TestImages.png(TestImages.solid(101, 100, Color.GREEN))));

        assertThat(rejection.reason()).isEqualTo(Reason.TOO_MANY_PIXELS);
    }

    @Test
    void textFileNamedJpg_isRejectedAsUnsupported() {
        final byte[] text = "GIF8 is not enough: this is a text file someone named photo.jpg\n"
                .getBytes(StandardCharsets.UTF_8);

        assertRejected(text, Reason.UNSUPPORTED_TYPE);
    }

    @Test
    void otherFormats_areRejectedAsUnsupported() {
        assertRejected("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8), Reason.UNSUPPORTED_TYPE);
        assertRejected("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), Reason.UNSUPPORTED_TYPE);
        // HEIC: an ISO BMFF "ftyp" box.
        assertRejected(new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0}, Reason.UNSUPPORTED_TYPE);
        assertRejected(new byte[] {(byte) 0xFF, (byte) 0xD8}, Reason.UNSUPPORTED_TYPE); // too short to be a JPEG
    }

    @Test
    void emptyUpload_isRejected() {
        assertRejected(new byte[0], Reason.EMPTY);
    }

    @Test
    void uploadOverTheByteLimit_isRejected_alsoFromAStream() {
        final byte[] upload = TestImages.png(TestImages.solid(50, 40, Color.GREEN));
        final ImageIntake small = ImageIntake.of(new ImageLimits(upload.length - 1, ImageLimits.DEFAULT_MAX_PIXELS));

        assertThat(catchThrowableOfType(ImageRejectedException.class, () -> small.process(upload)).reason())
                .isEqualTo(Reason.TOO_LARGE);
        assertThat(catchThrowableOfType(ImageRejectedException.class,
                () -> small.process(new ByteArrayInputStream(upload))).reason()).isEqualTo(Reason.TOO_LARGE);
    }

    @Test
    void uploadOfExactlyTheByteLimit_isAccepted() throws Exception {
        final byte[] upload = TestImages.png(TestImages.solid(50, 40, Color.GREEN));
        final ImageIntake exact = ImageIntake.of(new ImageLimits(upload.length, ImageLimits.DEFAULT_MAX_PIXELS));

        assertThat(exact.process(new ByteArrayInputStream(upload)).width()).isEqualTo(50);
    }

    @Test
    void truncatedJpeg_isRejectedAsCorrupt() {
        final byte[] jpeg = TestImages.jpeg(TestImages.withMarker(800, 600, Color.BLUE, 100));

        assertRejected(Arrays.copyOf(jpeg, jpeg.length / 2), Reason.CORRUPT);
        assertRejected(Arrays.copyOf(jpeg, 40), Reason.CORRUPT); // cut inside the header
    }

    @Test
    void truncatedPng_isRejectedAsCorrupt() {
        final byte[] png = TestImages.png(TestImages.withMarker(800, 600, Color.BLUE, 100));

        assertRejected(Arrays.copyOf(png, png.length / 2), Reason.CORRUPT);
        assertRejected(Arrays.copyOf(png, 20), Reason.CORRUPT);
    }

    @Test
    void truncatedWebp_isRejectedAsCorrupt() {
        final byte[] webp = TestImages.solidWebp(640, 480, 0xFF_00_00_FF);

        assertRejected(Arrays.copyOf(webp, webp.length - 6), Reason.CORRUPT);
        assertRejected(Arrays.copyOf(webp, 16), Reason.CORRUPT);
    }

    @Test
    @org.junit.jupiter.api.Timeout(5)
    void webpDeclaringFarMorePixelsThanItHolds_isRejectedAsCorrupt_quickly() {
        // Found by ImageIntakeFuzzTest: 39 bytes declaring 4108×11010 lossless pixels. The decoder read zero bits
        // past the end, one caught EOFException per pixel, for minutes. Here the same bytes declare 4000×4000 (under
        // WebP's pixel limit); a one-colour WebP of 4000×4000 that does hold its (zero-bit) pixels stays accepted.
        final int header = (4000 - 1) | (4000 - 1) << 14 | 1 << 28; // VP8L: width-1, height-1, alpha used
        final byte[] webp = TestImages.concat(
                java.util.HexFormat.of().parseHex("524946461a000000574542505650384c0d0000002f"),
                java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(header).array(),
                java.util.HexFormat.of().parseHex("1a000000574542505650384c020000"));

        assertRejected(webp, Reason.CORRUPT);
        assertThat(catchThrowableOfType(ImageRejectedException.class,
                () -> intake.process(TestImages.solidWebp(4000, 4000, 0xFF_00_00_FF)))).isNull();
    }

    @Test
    void webpOverItsOwnPixelLimit_isRejectedFromItsHeader() {
        // Found by ImageIntakeFuzzTest (OutOfMemoryError with a 256 MB heap): 74 bytes declaring 4108×11010
        // one-colour pixels, decoded at full size whatever the subsampling.
        assertRejected(TestImages.solidWebp(4108, 11010, 0xFF_00_00_FF), Reason.TOO_MANY_PIXELS);
        assertRejected(TestImages.solidWebp(4097, 4096, 0xFF_00_00_FF), Reason.TOO_MANY_PIXELS);
    }

    @Test
    void garbageAfterAValidSignature_isRejectedAsCorrupt() {
        final byte[] garbage = new byte[4096];
        new java.util.Random(7).nextBytes(garbage);
        garbage[0] = (byte) 0xFF;
        garbage[1] = (byte) 0xD8;
        garbage[2] = (byte) 0xFF;

        assertRejected(garbage, Reason.CORRUPT);
    }

    @Test
    void pngWithZeroWidth_isRejectedAsCorrupt() {
        // The PNG reader itself refuses a zero width while reading the header.
        assertRejected(TestImages.pngHeaderOnly(0, 100), Reason.CORRUPT);
    }

    @Test
    void sliverImage_isRejectedForItsAspectRatio() {
        assertRejected(TestImages.png(TestImages.solid(2100, 100, Color.GREEN)), Reason.INVALID_DIMENSIONS);
    }

    @Test
    void jpeg_isReadByTwelveMonkeys() {
        assertThat(ImageIO.getImageReadersByFormatName("jpeg").next().getClass().getName())
                .startsWith("com.twelvemonkeys.");
        assertThat(ImageIO.getImageReadersByFormatName("webp").next().getClass().getName())
                .startsWith("com.twelvemonkeys.");
    }

    private void assertRejected(byte[] upload, Reason reason) {
        final var rejection = catchThrowableOfType(ImageRejectedException.class, () -> intake.process(upload));
        assertThat(rejection).as("rejection").isNotNull();
        assertThat(rejection.reason()).isEqualTo(reason);
        assertThat(rejection.field()).isEqualTo(ImageRejectedException.CONTENT_FIELD);
    }

    private static void assertSize(Rendition rendition, int width, int height) throws IOException {
        assertThat(List.of(rendition.width(), rendition.height())).as(rendition.toString()).containsExactly(width, height);
        assertThat(ImageType.sniff(rendition.jpeg())).contains(ImageType.JPEG);
        assertThat(rendition.size()).isEqualTo(rendition.jpeg().length).isPositive();
        final BufferedImage decoded = decode(rendition);
        assertThat(List.of(decoded.getWidth(), decoded.getHeight())).containsExactly(width, height);
    }

    private static BufferedImage decode(Rendition rendition) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(rendition.jpeg()));
    }
}
