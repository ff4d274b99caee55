package io.pinhole.media.storage;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

/**
 * Where and how a client PUTs a file straight to S3.
 *
 * @param uploadId  names the upload when it is completed
 * @param url       the presigned PUT URL
 * @param headers   headers the PUT must carry with exactly these values (the signature covers them), lower-case
 *                  names; {@code content-length} pins the size, so a file of another size is refused by S3
 * @param expiresAt when the URL stops working
 */
public record PresignedUpload(String uploadId, URI url, Map<String, String> headers, Instant expiresAt) {

    public PresignedUpload {
        requireNonNull(uploadId, "uploadId");
        requireNonNull(url, "url");
        headers = Map.copyOf(headers);
        requireNonNull(expiresAt, "expiresAt");
    }
}
