package io.pinhole.devstack;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for the one kind of request devstack makes itself: a body-less call to S3 with no query
 * string (create a bucket). Enough to keep the AWS SDK off every service's test classpath; the tests check it against
 * s3proxy, which verifies signatures as S3 does.
 *
 * @see <a href="https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html">Create a signed request</a>
 */
final class AwsSigV4 {

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final String EMPTY_SHA256 = hex(sha256(new byte[0]));

    private AwsSigV4() {}

    /** A signed request builder for {@code method uri} with an empty body. {@code uri} must have no query. */
    static HttpRequest.Builder emptyBodyRequest(String method, URI uri, String region, String accessKey,
            String secretKey, Instant now) {
        final String timestamp = TIMESTAMP.format(now);
        final String date = timestamp.substring(0, 8);
        final String host = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        final String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        final String signedHeaders = "host;x-amz-content-sha256;x-amz-date";
        final String canonicalRequest = method + "\n"
                + path + "\n"
                + "\n" // no query string
                + "host:" + host + "\n"
                + "x-amz-content-sha256:" + EMPTY_SHA256 + "\n"
                + "x-amz-date:" + timestamp + "\n"
                + "\n"
                + signedHeaders + "\n"
                + EMPTY_SHA256;
        final String scope = date + "/" + region + "/s3/aws4_request";
        final String stringToSign = "AWS4-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n"
                + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, "s3");
        key = hmac(key, "aws4_request");
        final String signature = hex(hmac(key, stringToSign));
        return HttpRequest.newBuilder(uri)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("x-amz-content-sha256", EMPTY_SHA256)
                .header("x-amz-date", timestamp)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope
                        + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
