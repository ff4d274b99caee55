package io.pinhole.media.image;

import static java.util.Objects.requireNonNull;

/**
 * An upload the intake refuses: not an image it accepts, too large, or broken. The message is safe to show to the
 * client; the RPC layer answers INVALID_ARGUMENT naming {@link #field()} (or its own name for the bytes' field).
 *
 * <p>Checked on purpose: every caller of the intake must decide how to answer a bad upload. It carries no stack
 * trace: it is an answer, not a failure (the decoder's exception, when there was one, is the cause).
 */
public final class ImageRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The field of a request that holds the image bytes, as far as this package knows. */
    public static final String CONTENT_FIELD = "content";

    /** Why an upload was refused. */
    public enum Reason {
        /** No bytes at all. */
        EMPTY,
        /** More bytes than {@link ImageLimits#maxBytes()}. */
        TOO_LARGE,
        /** Not JPEG, PNG, WebP or GIF, whatever its name or declared type says. */
        UNSUPPORTED_TYPE,
        /** More pixels than {@link ImageLimits#maxPixels()} (decompression bombs included). */
        TOO_MANY_PIXELS,
        /** A zero or negative side, or an extreme aspect ratio. */
        INVALID_DIMENSIONS,
        /** Truncated or malformed: the header or the pixels could not be read. */
        CORRUPT
    }

    private final Reason reason;
    private final String field;

    ImageRejectedException(Reason reason, String message) {
        this(reason, message, null);
    }

    ImageRejectedException(Reason reason, String message, Throwable cause) {
        super(requireNonNull(message, "message"), cause, false, false);
        this.reason = requireNonNull(reason, "reason");
        this.field = CONTENT_FIELD;
    }

    public Reason reason() {
        return reason;
    }

    /** The request field at fault: always {@value #CONTENT_FIELD}, the image bytes. */
    public String field() {
        return field;
    }
}
