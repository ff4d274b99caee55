package io.pinhole.media.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.media.image.ImageType;
import io.pinhole.media.image.ProcessedImage;
import io.pinhole.media.image.Rendition;
import io.pinhole.media.image.RenditionKind;
import io.pinhole.platform.config.Env;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

@ExtendWith(DevstackExtension.class)
class MediaStorageTest {

    private static final String BUCKET = "media-storage-test";
    private static final AtomicLong MEDIA_IDS = new AtomicLong(System.currentTimeMillis() << 20);

    private static Env env;
    private static MediaStorage storage;
    /** A separate client, to check what the storage wrote with nothing of its own code in between. */
    private static S3Client s3;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(Devstack devstack) {
        env = Env.of(devstack.s3().environment(BUCKET));
        storage = MediaStorage.of(StorageConfig.fromEnvironment(env));
        s3 = S3Client.builder()
                .endpointOverride(devstack.s3().endpoint())
                .region(Region.of(devstack.s3().region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(devstack.s3().accessKey(), devstack.s3().secretKey())))
                .forcePathStyle(true)
                .build();
    }

    @AfterAll
    static void stop() {
        storage.close();
        s3.close();
    }

    @Test
    void putImage_storesTheOriginalAndEveryRendition_withTheirContentTypes() {
        final long mediaId = MEDIA_IDS.incrementAndGet();
        final ProcessedImage image = image(ImageType.PNG);

        storage.putImage(mediaId, image);

        final ResponseBytes<GetObjectResponse> original = get("originals/" + mediaId);
        assertThat(original.asByteArray()).isEqualTo(image.original());
        assertThat(original.response().contentType()).isEqualTo("image/png");
        for (RenditionKind kind : RenditionKind.values()) {
            final ResponseBytes<GetObjectResponse> rendition = get("media/" + mediaId + "/" + kind.id() + ".jpg");
            assertThat(rendition.asByteArray()).isEqualTo(image.rendition(kind).jpeg());
            assertThat(rendition.response().contentType()).isEqualTo("image/jpeg");
            assertThat(rendition.response().cacheControl()).contains("immutable");
        }
    }

    @Test
    void deleteMedia_removesTheOriginalAndEveryRendition_andIsIdempotent() {
        final long mediaId = MEDIA_IDS.incrementAndGet();
        final long neighbourId = MEDIA_IDS.incrementAndGet();
        storage.putImage(mediaId, image(ImageType.JPEG));
        storage.putImage(neighbourId, image(ImageType.JPEG));

        storage.deleteMedia(mediaId);
        storage.deleteMedia(mediaId);

        assertMissing("originals/" + mediaId);
        for (RenditionKind kind : RenditionKind.values()) {
            assertMissing(StorageKeys.rendition(mediaId, kind));
        }
        assertThat(get(StorageKeys.rendition(neighbourId, RenditionKind.STANDARD)).asByteArray()).isNotEmpty();
    }

    @Test
    void renditionUrl_withoutCdn_isAPresignedGet_servingTheJpeg() throws Exception {
        final long mediaId = MEDIA_IDS.incrementAndGet();
        final ProcessedImage image = image(ImageType.PNG);
        storage.putImage(mediaId, image);

        final URI url = storage.renditionUrl(mediaId, RenditionKind.LOW);

        assertThat(url.getQuery()).contains("X-Amz-Signature=").contains("X-Amz-Expires=7200");
        final HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(image.rendition(RenditionKind.LOW).jpeg());
        assertThat(response.headers().firstValue("content-type")).contains("image/jpeg");
    }

    @Test
    void presignedGet_withATamperedKey_isRefused() throws Exception {
        final long mediaId = MEDIA_IDS.incrementAndGet();
        storage.putImage(mediaId, image(ImageType.JPEG));

        // Same signature, another object: the original, which must never be reachable.
        final URI url = storage.renditionUrl(mediaId, RenditionKind.STANDARD);
        final URI tampered = URI.create(url.toString().replace("media/" + mediaId + "/standard.jpg", "originals/" + mediaId));

        assertThat(http.send(HttpRequest.newBuilder(tampered).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()).isEqualTo(403);
    }

    @Test
    void renditionUrl_withCdn_isTheBaseAndTheKey() {
        for (String base : List.of("https://media.example.com", "https://media.example.com/")) {
            try (MediaStorage cdn = MediaStorage.of(StorageConfig.fromEnvironment(
                    env.with(Map.of("PINHOLE_MEDIA_CDN_URL", base))))) {
                assertThat(cdn.renditionUrl(42, RenditionKind.THUMBNAIL))
                        .isEqualTo(URI.create("https://media.example.com/media/42/thumbnail.jpg"));
                assertThat(cdn.renditionUrl(42, RenditionKind.STANDARD))
                        .isEqualTo(URI.create("https://media.example.com/media/42/standard.jpg"));
            }
        }
    }

    @Test
    void presignedPut_uploadsTheFile_whichCanBeReadBackAndDeleted() throws Exception {
        final String uploadId = "u" + MEDIA_IDS.incrementAndGet();
        final byte[] file = image(ImageType.PNG).original();

        final PresignedUpload upload = storage.createUploadUrl(uploadId, file.length);

        assertThat(upload.uploadId()).isEqualTo(uploadId);
        assertThat(upload.headers()).containsEntry("content-length", Integer.toString(file.length))
                .doesNotContainKey("host");
        assertThat(upload.expiresAt()).isCloseTo(Instant.now().plus(Duration.ofMinutes(15)), within(1, ChronoUnit.MINUTES));
        assertThat(storage.openUpload(uploadId)).isEmpty();

        assertThat(put(upload, file).statusCode()).isEqualTo(200);

        final Optional<InputStream> uploaded = storage.openUpload(uploadId);
        assertThat(uploaded).isPresent();
        try (InputStream stream = uploaded.get()) {
            assertThat(stream.readAllBytes()).isEqualTo(file);
        }
        storage.deleteUpload(uploadId);
        storage.deleteUpload(uploadId);
        assertThat(storage.openUpload(uploadId)).isEmpty();
    }

    @Test
    void presignedPut_ofAnotherSize_isRefused() throws Exception {
        final String uploadId = "u" + MEDIA_IDS.incrementAndGet();
        final PresignedUpload upload = storage.createUploadUrl(uploadId, 1_000);

        assertThat(put(upload, new byte[5_000]).statusCode()).isEqualTo(403);
        assertThat(storage.openUpload(uploadId)).isEmpty();
    }

    @Test
    void createUploadUrl_refusesBadIdsAndSizes() {
        assertThatThrownBy(() -> storage.createUploadUrl("../originals/1", 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.createUploadUrl("x".repeat(201), 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> storage.createUploadUrl("ok", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(StorageKeys.isValidUploadId("x".repeat(200))).isTrue();
        assertThat(StorageKeys.isValidUploadId("a/b")).isFalse();
    }

    @Test
    void config_readsDevstacksVariables() {
        final StorageConfig config = StorageConfig.fromEnvironment(env);

        assertThat(config.endpoint()).contains(URI.create(env.required("PINHOLE_S3_ENDPOINT")));
        assertThat(config.region()).isEqualTo("us-east-1");
        assertThat(config.bucket()).isEqualTo(BUCKET);
        assertThat(config.credentials()).map(StorageConfig.Credentials::accessKey).contains("pinhole-local");
        assertThat(config.credentials().orElseThrow().toString()).doesNotContain("pinhole-local-secret");
        assertThat(config.pathStyle()).isTrue();
        assertThat(config.cdnBaseUrl()).isEmpty();
        assertThat(config.renditionUrlTtl()).isEqualTo(Duration.ofHours(2));
        assertThat(config.uploadUrlTtl()).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void config_forAws_usesTheDefaultChainAndVirtualHostedStyle() {
        final StorageConfig config = StorageConfig.fromEnvironment(Env.of(Map.of("PINHOLE_S3_REGION", "eu-west-1")));

        assertThat(config.endpoint()).isEmpty();
        assertThat(config.credentials()).isEmpty();
        assertThat(config.pathStyle()).isFalse();
        assertThat(config.bucket()).isEqualTo(StorageConfig.DEFAULT_BUCKET);
    }

    @Test
    void config_refusesHalfCredentialsAndBadUrls() {
        assertThatThrownBy(() -> StorageConfig.fromEnvironment(Env.of(Map.of("PINHOLE_S3_ACCESS_KEY", "key"))))
                .hasMessageContaining("PINHOLE_S3_SECRET_KEY");
        assertThatThrownBy(() -> StorageConfig.fromEnvironment(Env.of(Map.of("PINHOLE_MEDIA_CDN_URL", "media.example.com"))))
                .hasMessageContaining("PINHOLE_MEDIA_CDN_URL");
        assertThatThrownBy(() -> StorageConfig.fromEnvironment(Env.of(Map.of("PINHOLE_MEDIA_URL_TTL", "8d"))))
                .hasMessageContaining("7 days");
    }

    private static HttpResponse<String> put(PresignedUpload upload, byte[] body) throws IOException, InterruptedException {
        final HttpRequest.Builder request = HttpRequest.newBuilder(upload.url())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        // The client sets Content-Length from the body itself, as every HTTP client does.
        upload.headers().forEach((name, value) -> {
            if (!name.equals("content-length")) {
                request.header(name, value);
            }
        });
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static ResponseBytes<GetObjectResponse> get(String key) {
        return s3.getObjectAsBytes(get -> get.bucket(BUCKET).key(key));
    }

    private static void assertMissing(String key) {
        assertThatThrownBy(() -> get(key)).as(key).isInstanceOf(NoSuchKeyException.class);
    }

    /** Distinct bytes per call: a test that reads back another test's object fails. */
    private static ProcessedImage image(ImageType type) {
        final byte[] original = ("original " + type + " " + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
        final List<Rendition> renditions = java.util.Arrays.stream(RenditionKind.values())
                .map(kind -> new Rendition(kind, kind.width(), kind.width(),
                        (kind.id() + " " + System.nanoTime()).getBytes(StandardCharsets.US_ASCII)))
                .toList();
        return new ProcessedImage(type, 1080, 1080, original, renditions);
    }
}
