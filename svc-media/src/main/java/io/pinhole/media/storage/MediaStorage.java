package io.pinhole.media.storage;

import static java.util.Objects.requireNonNull;

import io.pinhole.media.image.ImageType;
import io.pinhole.media.image.ProcessedImage;
import io.pinhole.media.image.Rendition;
import io.pinhole.media.image.RenditionKind;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * The photos' objects in one S3 bucket, under the keys of {@link StorageKeys}: renditions, originals and direct
 * uploads; and the URLs clients fetch renditions from or PUT uploads to.
 *
 * <p>Every object carries its Content-Type: {@code image/jpeg} for renditions, the sniffed type for originals.
 * Renditions are immutable under their key (a media's photo never changes), hence a year of
 * {@code Cache-Control}. S3 cannot send {@code X-Content-Type-Options: nosniff} (objects only carry the standard
 * headers and {@code x-amz-meta-*}): the CDN adds it (CloudFront's managed {@code SecurityHeadersPolicy} response
 * headers policy does). Presigned GETs instead force the response's Content-Type to {@code image/jpeg}; the bytes
 * are JPEGs this service encoded itself, so there is nothing else to sniff.
 *
 * <p>Every method but the URL builders makes blocking HTTP calls: call them from a blocking executor, never an
 * event loop. Thread-safe; close it once at shutdown.
 */
public final class MediaStorage implements AutoCloseable {

    private static final String RENDITION_CACHE_CONTROL = "public, max-age=31536000, immutable";

    private final StorageConfig config;
    private final S3Client client;
    private final S3Presigner presigner;

    private MediaStorage(StorageConfig config, S3Client client, S3Presigner presigner) {
        this.config = config;
        this.client = client;
        this.presigner = presigner;
    }

    /** Builds the S3 client and presigner; no request is sent until the first call. */
    public static MediaStorage of(StorageConfig config) {
        requireNonNull(config, "config");
        final Region region = Region.of(config.region());
        final AwsCredentialsProvider credentials = config.credentials()
                .<AwsCredentialsProvider>map(keys -> StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(keys.accessKey(), keys.secretKey())))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
        final S3Configuration s3 = S3Configuration.builder().pathStyleAccessEnabled(config.pathStyle()).build();

        final var client = S3Client.builder().region(region).credentialsProvider(credentials).serviceConfiguration(s3);
        final var presigner = S3Presigner.builder().region(region).credentialsProvider(credentials)
                .serviceConfiguration(s3);
        config.endpoint().ifPresent(endpoint -> {
            client.endpointOverride(endpoint);
            presigner.endpointOverride(endpoint);
        });
        return new MediaStorage(config, client.build(), presigner.build());
    }

    public StorageConfig config() {
        return config;
    }

    /** Stores the original (privately, with its sniffed type) and every rendition of a new media. */
    public void putImage(long mediaId, ProcessedImage image) {
        requireNonNull(image, "image");
        putOriginal(mediaId, image.type(), image.original());
        image.renditions().forEach(rendition -> putRendition(mediaId, rendition));
    }

    public void putRendition(long mediaId, Rendition rendition) {
        requireNonNull(rendition, "rendition");
        client.putObject(PutObjectRequest.builder()
                        .bucket(config.bucket())
                        .key(StorageKeys.rendition(mediaId, rendition.kind()))
                        .contentType(Rendition.CONTENT_TYPE)
                        .cacheControl(RENDITION_CACHE_CONTROL)
                        .build(),
                RequestBody.fromBytes(rendition.jpeg()));
    }

    public void putOriginal(long mediaId, ImageType type, byte[] bytes) {
        requireNonNull(type, "type");
        requireNonNull(bytes, "bytes");
        client.putObject(PutObjectRequest.builder()
                        .bucket(config.bucket())
                        .key(StorageKeys.original(mediaId))
                        .contentType(type.contentType())
                        .build(),
                RequestBody.fromBytes(bytes));
    }

    /** Deletes the renditions and the original of a media, in one request. Idempotent. */
    public void deleteMedia(long mediaId) {
        final List<ObjectIdentifier> objects = new ArrayList<>();
        objects.add(ObjectIdentifier.builder().key(StorageKeys.original(mediaId)).build());
        for (RenditionKind kind : RenditionKind.values()) {
            objects.add(ObjectIdentifier.builder().key(StorageKeys.rendition(mediaId, kind)).build());
        }
        final DeleteObjectsResponse response = client.deleteObjects(delete -> delete
                .bucket(config.bucket())
                .delete(Delete.builder().objects(objects).quiet(true).build()));
        // A multi-object delete answers 200 even when some keys failed: the failures are in the body.
        if (response.hasErrors() && !response.errors().isEmpty()) {
            throw new IllegalStateException("could not delete the objects of media " + mediaId + ": "
                    + response.errors());
        }
    }

    /**
     * Where clients fetch a rendition: {@code <CDN base>/<key>} when a CDN is configured, else a presigned GET valid
     * for {@link StorageConfig#renditionUrlTtl()}. Computed locally, no request is sent.
     */
    public URI renditionUrl(long mediaId, RenditionKind kind) {
        final String key = StorageKeys.rendition(mediaId, kind);
        if (config.cdnBaseUrl().isPresent()) {
            final String base = config.cdnBaseUrl().get().toString();
            return URI.create((base.endsWith("/") ? base : base + "/") + key);
        }
        return URI.create(presigner.presignGetObject(presign -> presign
                .signatureDuration(config.renditionUrlTtl())
                .getObjectRequest(GetObjectRequest.builder()
                        .bucket(config.bucket())
                        .key(key)
                        .responseContentType(Rendition.CONTENT_TYPE)
                        .build()))
                .url().toString());
    }

    /**
     * A presigned PUT of exactly {@code sizeBytes} bytes to {@code uploads/<uploadId>}, valid for
     * {@link StorageConfig#uploadUrlTtl()}. The signed {@code Content-Length} makes S3 refuse any other size. The
     * Content-Type is left free: the bytes are sniffed at completion, whatever the client declares.
     *
     * @throws IllegalArgumentException for an upload ID that {@link StorageKeys#isValidUploadId} refuses, or a size
     *                                  below 1
     */
    public PresignedUpload createUploadUrl(String uploadId, long sizeBytes) {
        if (sizeBytes < 1) {
            throw new IllegalArgumentException("sizeBytes must be positive, was " + sizeBytes);
        }
        final PresignedPutObjectRequest presigned = presigner.presignPutObject(presign -> presign
                .signatureDuration(config.uploadUrlTtl())
                .putObjectRequest(PutObjectRequest.builder()
                        .bucket(config.bucket())
                        .key(StorageKeys.upload(uploadId))
                        .contentLength(sizeBytes)
                        .build()));
        final Map<String, String> headers = new LinkedHashMap<>();
        presigned.signedHeaders().forEach((name, values) -> {
            // Every HTTP client sets Host from the URL itself (and many refuse to be told).
            if (!name.equalsIgnoreCase("host")) {
                headers.put(name.toLowerCase(java.util.Locale.ROOT), String.join(",", values));
            }
        });
        return new PresignedUpload(uploadId, URI.create(presigned.url().toString()), headers, presigned.expiration());
    }

    /**
     * The bytes PUT to {@code uploads/<uploadId>}, streamed; empty when nothing is there (unknown ID, expired and
     * swept, or not PUT yet). The caller closes the stream.
     */
    public Optional<InputStream> openUpload(String uploadId) {
        final String key = StorageKeys.upload(uploadId);
        try {
            return Optional.of(client.getObject(get -> get.bucket(config.bucket()).key(key)));
        } catch (NoSuchKeyException missing) {
            return Optional.empty();
        }
    }

    /** Deletes an upload once completed or refused. Idempotent. */
    public void deleteUpload(String uploadId) {
        final String key = StorageKeys.upload(uploadId);
        client.deleteObject(delete -> delete.bucket(config.bucket()).key(key));
    }

    @Override
    public void close() {
        presigner.close();
        client.close();
    }
}
