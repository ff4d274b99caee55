package io.pinhole.media.image;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Optional;

/** The image formats Pinhole accepts, recognised by their magic bytes (never by a declared content type). */
public enum ImageType {
    JPEG("image/jpeg", "jpeg"),
    PNG("image/png", "png"),
    WEBP("image/webp", "webp"),
    GIF("image/gif", "gif");

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private final String contentType;
    private final String imageIoFormat;

    ImageType(String contentType, String imageIoFormat) {
        this.contentType = contentType;
        this.imageIoFormat = imageIoFormat;
    }

    /** The MIME type, e.g. {@code image/jpeg}. */
    public String contentType() {
        return contentType;
    }

    /** The ImageIO format name whose readers decode this type. */
    String imageIoFormat() {
        return imageIoFormat;
    }

    /** The type whose signature {@code bytes} start with; empty for anything else (text, HEIC, PDF, SVG…). */
    public static Optional<ImageType> sniff(byte[] bytes) {
        requireNonNull(bytes, "bytes");
        if (startsWith(bytes, 0, (byte) 0xFF, (byte) 0xD8, (byte) 0xFF)) {
            return Optional.of(JPEG);
        }
        if (startsWith(bytes, 0, PNG_SIGNATURE)) {
            return Optional.of(PNG);
        }
        // RIFF container: "RIFF", 4 bytes of length, then the form type.
        if (startsWith(bytes, 0, ascii("RIFF")) && startsWith(bytes, 8, ascii("WEBP"))) {
            return Optional.of(WEBP);
        }
        if (startsWith(bytes, 0, ascii("GIF87a")) || startsWith(bytes, 0, ascii("GIF89a"))) {
            return Optional.of(GIF);
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] bytes, int offset, byte... signature) {
        return bytes.length >= offset + signature.length
                && Arrays.equals(bytes, offset, offset + signature.length, signature, 0, signature.length);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
