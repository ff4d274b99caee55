package io.pinhole.media.storage;

import static java.util.Objects.requireNonNull;

import io.pinhole.platform.config.Env;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Where media objects live and how their URLs are made.
 *
 * <p>Environment variables (the {@code PINHOLE_S3_*} ones are what devstack's env file sets):
 * <ul>
 *   <li>{@code PINHOLE_S3_ENDPOINT}: an S3-compatible endpoint such as {@code http://127.0.0.1:19000}; absent means
 *       AWS's own endpoint for the region</li>
 *   <li>{@code PINHOLE_S3_REGION} (default {@code us-east-1})</li>
 *   <li>{@code PINHOLE_S3_ACCESS_KEY} and {@code PINHOLE_S3_SECRET_KEY}: both or neither; neither means the AWS
 *       default credentials chain (environment, profile, web identity, container or instance role)</li>
 *   <li>{@code PINHOLE_S3_BUCKET} (default {@code pinhole-media}, devstack's bucket)</li>
 *   <li>{@code PINHOLE_S3_PATH_STYLE}: {@code http://host/bucket/key} instead of {@code http://bucket.host/key}
 *       (default true when an endpoint is set: local S3-compatible servers have no wildcard DNS)</li>
 *   <li>{@code PINHOLE_MEDIA_CDN_URL}: base URL of a CDN in front of the bucket (CloudFront style, rendition URLs
 *       are {@code <base>/<key>}); absent means rendition URLs are presigned GETs</li>
 *   <li>{@code PINHOLE_MEDIA_URL_TTL}: how long a presigned rendition URL works (default 2h; clients are promised
 *       at least an hour)</li>
 *   <li>{@code PINHOLE_MEDIA_UPLOAD_URL_TTL}: how long a presigned upload URL works (default 15m)</li>
 * </ul>
 *
 * @param endpoint    empty for AWS
 * @param credentials empty for the AWS default credentials chain
 * @param cdnBaseUrl  empty for presigned rendition URLs
 */
public record StorageConfig(
        Optional<URI> endpoint,
        String region,
        Optional<Credentials> credentials,
        String bucket,
        boolean pathStyle,
        Optional<URI> cdnBaseUrl,
        Duration renditionUrlTtl,
        Duration uploadUrlTtl) {

    public static final String DEFAULT_BUCKET = "pinhole-media";

    /** A fixed access key, as devstack's S3 server or a dedicated IAM user has. */
    public record Credentials(String accessKey, String secretKey) {
        public Credentials {
            requireNonNull(accessKey, "accessKey");
            requireNonNull(secretKey, "secretKey");
        }

        @Override
        public String toString() {
            return "Credentials[accessKey=" + accessKey + ", secretKey=***]";
        }
    }

    public StorageConfig {
        requireNonNull(endpoint, "endpoint");
        requireNonNull(region, "region");
        requireNonNull(credentials, "credentials");
        requireNonNull(bucket, "bucket");
        requireNonNull(cdnBaseUrl, "cdnBaseUrl");
        requireNonNull(renditionUrlTtl, "renditionUrlTtl");
        requireNonNull(uploadUrlTtl, "uploadUrlTtl");
        // SigV4 presigned URLs cannot outlive 7 days.
        if (renditionUrlTtl.isNegative() || renditionUrlTtl.isZero() || renditionUrlTtl.compareTo(Duration.ofDays(7)) > 0
                || uploadUrlTtl.isNegative() || uploadUrlTtl.isZero() || uploadUrlTtl.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("presigned URL lifetimes must be above 0 and at most 7 days");
        }
    }

    public static StorageConfig fromEnvironment(Env env) {
        final Optional<URI> endpoint = env.find("PINHOLE_S3_ENDPOINT").map(value -> uri("PINHOLE_S3_ENDPOINT", value));
        final Optional<String> accessKey = env.find("PINHOLE_S3_ACCESS_KEY");
        final Optional<String> secretKey = env.find("PINHOLE_S3_SECRET_KEY");
        if (accessKey.isPresent() != secretKey.isPresent()) {
            throw new IllegalArgumentException(
                    "Environment variables PINHOLE_S3_ACCESS_KEY and PINHOLE_S3_SECRET_KEY must be set together");
        }
        return new StorageConfig(
                endpoint,
                env.string("PINHOLE_S3_REGION", "us-east-1"),
                accessKey.map(key -> new Credentials(key, secretKey.orElseThrow())),
                env.string("PINHOLE_S3_BUCKET", DEFAULT_BUCKET),
                env.bool("PINHOLE_S3_PATH_STYLE", endpoint.isPresent()),
                env.find("PINHOLE_MEDIA_CDN_URL").map(value -> uri("PINHOLE_MEDIA_CDN_URL", value)),
                env.duration("PINHOLE_MEDIA_URL_TTL", Duration.ofHours(2)),
                env.duration("PINHOLE_MEDIA_UPLOAD_URL_TTL", Duration.ofMinutes(15)));
    }

    private static URI uri(String name, String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            // Worded as Env's own errors: start-up fails naming the variable.
            throw new IllegalArgumentException(
                    "Environment variable " + name + " must be an http or https URL, was '" + value + "'");
        }
        return uri;
    }
}
