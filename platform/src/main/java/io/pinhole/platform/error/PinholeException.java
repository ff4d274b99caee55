package io.pinhole.platform.error;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.BadRequest.FieldViolation;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Something the caller did that the service refuses, with the precise gRPC status and, for bad input, one
 * {@link FieldViolation} per offending field (sent as {@code google.rpc.BadRequest} in the status details).
 *
 * <p>Services throw it from anywhere; {@link GrpcErrors#exceptionHandler()} turns it into the status. It carries no
 * stack trace: it is an answer, not a failure.
 */
public final class PinholeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Status.Code code;
    private final List<FieldViolation> violations;
    private final Duration retryDelay;

    private PinholeException(Status.Code code, String message, List<FieldViolation> violations, Duration retryDelay) {
        super(requireNonNull(message, "message"), null, false, false);
        this.code = requireNonNull(code, "code");
        this.violations = List.copyOf(violations);
        this.retryDelay = retryDelay;
    }

    public static PinholeException invalidArgument(String field, String description) {
        return invalidArguments().add(field, description).build();
    }

    /** Collects every bad field of a request before refusing it, so a client can fix them all at once. */
    public static Violations invalidArguments() {
        return new Violations();
    }

    public static PinholeException notFound(String message) {
        return new PinholeException(Status.Code.NOT_FOUND, message, List.of(), null);
    }

    public static PinholeException alreadyExists(String field, String description) {
        return new PinholeException(Status.Code.ALREADY_EXISTS, description, List.of(violation(field, description)),
                                    null);
    }

    public static PinholeException permissionDenied(String message) {
        return new PinholeException(Status.Code.PERMISSION_DENIED, message, List.of(), null);
    }

    public static PinholeException unauthenticated(String message) {
        return new PinholeException(Status.Code.UNAUTHENTICATED, message, List.of(), null);
    }

    public static PinholeException failedPrecondition(String message) {
        return new PinholeException(Status.Code.FAILED_PRECONDITION, message, List.of(), null);
    }

    /** Too many requests; {@code retryDelay} is sent as {@code google.rpc.RetryInfo}. */
    public static PinholeException resourceExhausted(String message, Duration retryDelay) {
        return new PinholeException(Status.Code.RESOURCE_EXHAUSTED, message, List.of(),
                                    requireNonNull(retryDelay, "retryDelay"));
    }

    private static FieldViolation violation(String field, String description) {
        return FieldViolation.newBuilder().setField(field).setDescription(description).build();
    }

    public Status.Code code() {
        return code;
    }

    public List<FieldViolation> violations() {
        return violations;
    }

    /** The status, with details, as gRPC sends it. */
    public com.google.rpc.Status toStatusProto() {
        final var status = com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(getMessage());
        if (!violations.isEmpty()) {
            status.addDetails(Any.pack(BadRequest.newBuilder().addAllFieldViolations(violations).build()));
        }
        if (retryDelay != null) {
            status.addDetails(Any.pack(RetryInfo.newBuilder()
                    .setRetryDelay(com.google.protobuf.Duration.newBuilder()
                            .setSeconds(retryDelay.toSeconds()).setNanos(retryDelay.toNanosPart())).build()));
        }
        return status.build();
    }

    public StatusRuntimeException toStatusRuntimeException() {
        return StatusProto.toStatusRuntimeException(toStatusProto());
    }

    /** A builder of INVALID_ARGUMENT with several field violations. */
    public static final class Violations {
        private final List<FieldViolation> violations = new ArrayList<>();

        private Violations() {}

        public Violations add(String field, String description) {
            violations.add(violation(field, description));
            return this;
        }

        /** Adds the violation only when {@code bad} holds. */
        public Violations addIf(boolean bad, String field, String description) {
            return bad ? add(field, description) : this;
        }

        public boolean isEmpty() {
            return violations.isEmpty();
        }

        public PinholeException build() {
            if (violations.isEmpty()) {
                throw new IllegalStateException("no violations to report");
            }
            final String message = violations.size() == 1
                    ? violations.get(0).getField() + ": " + violations.get(0).getDescription()
                    : violations.size() + " invalid fields: " + String.join(", ",
                            violations.stream().map(FieldViolation::getField).toList());
            return new PinholeException(Status.Code.INVALID_ARGUMENT, message, violations, null);
        }

        /** Throws INVALID_ARGUMENT when any violation was added. */
        public void throwIfAny() {
            if (!violations.isEmpty()) {
                throw build();
            }
        }
    }
}
