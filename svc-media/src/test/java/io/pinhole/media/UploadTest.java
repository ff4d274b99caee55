package io.pinhole.media;

import static io.pinhole.media.MediaFixture.assertFails;
import static io.pinhole.media.MediaFixture.newUser;
import static io.pinhole.media.MediaFixture.upload;
import static org.assertj.core.api.Assertions.assertThat;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.GpsDirectory;
import io.grpc.Status.Code;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.media.image.TestImages;
import io.pinhole.media.v1.GetMediaRequest;
import io.pinhole.media.v1.Image;
import io.pinhole.media.v1.Location;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.UploadHeader;
import java.awt.Color;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith({DevstackExtension.class, MediaFixture.class})
class UploadTest {

    private static final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theSamePhotoAsJpegAndPng_givesThreeMetadataFreeRenditionsOfTheRightSizes() throws Exception {
        final long owner = newUser("uploader");
        final var photo = TestImages.solid(1600, 1200, Color.BLUE);
        final byte[] jpegWithGps = TestImages.withMetadata(TestImages.jpeg(photo), 1);
        for (byte[] file : List.of(jpegWithGps, TestImages.png(photo))) {
            final Media media = upload(owner, UploadHeader.newBuilder().setCaption("Lake #Sunset with @nobody_here")
                    .setLocation(Location.newBuilder().setName("Lake").setLat(46.5).setLng(6.6)).build(), file);

            assertThat(media.getOwnerId()).isEqualTo(owner);
            assertThat(media.getTagsList()).containsExactly("sunset");
            assertThat(media.getLocation().getName()).isEqualTo("Lake");
            assertSize(media.getImages().getThumbnail(), 150, 150);
            assertSize(media.getImages().getLow(), 320, 240);
            assertSize(media.getImages().getStandard(), 1080, 810);
            for (Image image : List.of(media.getImages().getThumbnail(), media.getImages().getLow(), media.getImages().getStandard())) {
                final HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(image.getUrl())).build(),
                                                                HttpResponse.BodyHandlers.ofByteArray());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("content-type")).hasValue("image/jpeg");
                final var decoded = ImageIO.read(new ByteArrayInputStream(response.body()));
                assertThat(decoded.getWidth()).isEqualTo(image.getWidth());
                assertThat(decoded.getHeight()).isEqualTo(image.getHeight());
                final Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(response.body()));
                assertThat(metadata.getFirstDirectoryOfType(GpsDirectory.class)).isNull();
                assertThat(metadata.getFirstDirectoryOfType(ExifIFD0Directory.class)).isNull();
            }
            assertThat(MediaFixture.anonymous().getMedia(GetMediaRequest.newBuilder().addMediaIds(media.getId()).build())
                                   .getMediaMap()).containsKey(media.getId());
        }
    }

    @Test
    void aSmallPhoto_isNeverUpscaled() {
        final Media media = upload(newUser("small"), UploadHeader.getDefaultInstance(),
                                   TestImages.png(TestImages.solid(200, 100, Color.GREEN)));
        assertSize(media.getImages().getLow(), 200, 100);
        assertSize(media.getImages().getStandard(), 200, 100);
    }

    @Test
    void badFiles_areRefusedWithInvalidArgument_quickly() {
        final long owner = newUser("rejected");
        final byte[] jpeg = TestImages.jpeg(TestImages.solid(800, 600, Color.RED));
        final byte[] oversized = new byte[2 * 1024 * 1024 + 1];
        System.arraycopy(jpeg, 0, oversized, 0, jpeg.length);
        final List<byte[]> bad = List.of(
                TestImages.pngHeaderOnly(60_000, 60_000),                     // a decompression bomb
                Arrays.copyOf(jpeg, jpeg.length / 2),                          // truncated
                "this is not a photo, whatever its name".getBytes(),           // a text file named .jpg
                oversized);                                                   // over the (test) limit of 2 MiB
        for (byte[] file : bad) {
            final long started = System.nanoTime();
            assertFails(Code.INVALID_ARGUMENT, () -> upload(owner, UploadHeader.getDefaultInstance(), file), "chunk");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void badHeaders_andMissingViewer_areRefused() {
        final long owner = newUser("header");
        assertFails(Code.INVALID_ARGUMENT, () -> upload(owner, UploadHeader.newBuilder().setCaption("x".repeat(2201))
                .setLocation(Location.newBuilder().setLat(91).setLng(-181)).build(), MediaFixture.SMALL_PHOTO),
                "header.caption", "header.location.lat", "header.location.lng");
        final StringBuilder tags = new StringBuilder();
        for (int i = 0; i < 31; i++) {
            tags.append(" #tag").append(i);
        }
        assertFails(Code.INVALID_ARGUMENT, () -> upload(owner, UploadHeader.newBuilder().setCaption(tags.toString()).build(),
                                                        MediaFixture.SMALL_PHOTO), "header.caption");
        assertFails(Code.UNAUTHENTICATED, () -> MediaFixture.upload(null, UploadHeader.getDefaultInstance(), MediaFixture.SMALL_PHOTO));
    }

    private static void assertSize(Image image, int width, int height) {
        assertThat(image.getWidth()).isEqualTo(width);
        assertThat(image.getHeight()).isEqualTo(height);
    }
}
