package io.pinhole.gateway.error;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * An answer the gateway itself gives (not a service's): its message is shown to the client as is, with
 * {@link #code()} as {@code extensions.code}, and {@link #fields()} as {@code extensions.fields} when there are
 * any. No stack trace: it is an answer, not a failure.
 */
public final class GatewayException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient List<FieldViolation> fields;

    public GatewayException(ErrorCode code, String message) {
        this(code, message, List.of());
    }

    private GatewayException(ErrorCode code, String message, List<FieldViolation> fields) {
        super(requireNonNull(message, "message"), null, false, false);
        this.code = requireNonNull(code, "code");
        this.fields = List.copyOf(fields);
    }

    public static GatewayException unauthenticated(String message) {
        return new GatewayException(ErrorCode.UNAUTHENTICATED, message);
    }

    /**
     * BAD_USER_INPUT for one bad argument, named as the GraphQL request names it ({@code userId}, {@code first}),
     * in the same {@code extensions.fields} shape as a service's field violations.
     */
    public static GatewayException badArgument(String argument, String description) {
        requireNonNull(argument, "argument");
        requireNonNull(description, "description");
        return new GatewayException(ErrorCode.BAD_USER_INPUT, argument + " " + description,
                                    List.of(new FieldViolation(argument, description)));
    }

    public ErrorCode code() {
        return code;
    }

    /** The arguments or input fields at fault; empty when the error is not about one. */
    public List<FieldViolation> fields() {
        return fields;
    }

    /** One bad argument or input field and what is wrong with it. */
    public record FieldViolation(String field, String description) {
        public FieldViolation {
            requireNonNull(field, "field");
            requireNonNull(description, "description");
        }
    }
}
