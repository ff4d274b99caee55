package io.pinhole.gateway.error;

import static java.util.Objects.requireNonNull;

/**
 * An answer the gateway itself gives (not a service's): its message is shown to the client as is, with
 * {@link #code()} as {@code extensions.code}. No stack trace: it is an answer, not a failure.
 */
public final class GatewayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public GatewayException(ErrorCode code, String message) {
        super(requireNonNull(message, "message"), null, false, false);
        this.code = requireNonNull(code, "code");
    }

    /** A field whose backend is not built yet: {@code "not available yet: Query.feed lands with issue 6"}. */
    public static GatewayException notAvailableYet(String coordinates, int issue) {
        return new GatewayException(ErrorCode.UNAVAILABLE,
                                    "not available yet: " + coordinates + " lands with issue " + issue);
    }

    public static GatewayException unauthenticated(String message) {
        return new GatewayException(ErrorCode.UNAUTHENTICATED, message);
    }

    public ErrorCode code() {
        return code;
    }
}
