package io.pinhole.media.storage;

import static java.util.Objects.requireNonNull;

import io.pinhole.media.image.RenditionKind;
import java.util.regex.Pattern;

/**
 * The object keys of the media bucket, in one place:
 * <ul>
 *   <li>{@code media/<mediaId>/<thumbnail|low|standard>.jpg}: the renditions, served through the CDN or presigned
 *       GETs;</li>
 *   <li>{@code originals/<mediaId>}: the upload as sent, metadata included; private, never served;</li>
 *   <li>{@code uploads/<uploadId>}: direct-to-S3 uploads waiting for completion (a bucket lifecycle rule should
 *       expire this prefix after a day, for uploads never completed).</li>
 * </ul>
 * Separate top-level prefixes let a CDN origin or bucket policy expose {@code media/} alone.
 */
public final class StorageKeys {

    /** Opaque to clients, up to 200 characters (the API's limit), and safe in a key and a URL path. */
    private static final Pattern UPLOAD_ID = Pattern.compile("[A-Za-z0-9_-]{1,200}");

    private StorageKeys() {}

    public static String rendition(long mediaId, RenditionKind kind) {
        requireNonNull(kind, "kind");
        return mediaPrefix(mediaId) + kind.id() + ".jpg";
    }

    public static String original(long mediaId) {
        return "originals/" + mediaId;
    }

    public static String upload(String uploadId) {
        requireNonNull(uploadId, "uploadId");
        if (!UPLOAD_ID.matcher(uploadId).matches()) {
            throw new IllegalArgumentException("an upload ID is 1 to 200 of A-Z, a-z, 0-9, '_' and '-'");
        }
        return "uploads/" + uploadId;
    }

    /** Whether {@code uploadId} could name an upload (callers answer NOT_FOUND instead of failing). */
    public static boolean isValidUploadId(String uploadId) {
        return uploadId != null && UPLOAD_ID.matcher(uploadId).matches();
    }

    private static String mediaPrefix(long mediaId) {
        return "media/" + mediaId + "/";
    }
}
