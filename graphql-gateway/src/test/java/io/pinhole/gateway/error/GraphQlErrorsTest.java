package io.pinhole.gateway.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.Status;
import io.pinhole.platform.error.PinholeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class GraphQlErrorsTest {

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "INVALID_ARGUMENT, BAD_USER_INPUT",
            "FAILED_PRECONDITION, BAD_USER_INPUT",
            "OUT_OF_RANGE, BAD_USER_INPUT",
            "NOT_FOUND, NOT_FOUND",
            "ALREADY_EXISTS, CONFLICT",
            "ABORTED, CONFLICT",
            "PERMISSION_DENIED, FORBIDDEN",
            "UNAUTHENTICATED, UNAUTHENTICATED",
            "RESOURCE_EXHAUSTED, RATE_LIMITED",
            "UNAVAILABLE, UNAVAILABLE",
            "DEADLINE_EXCEEDED, UNAVAILABLE",
            "UNIMPLEMENTED, UNAVAILABLE",
            "CANCELLED, UNAVAILABLE",
            "INTERNAL, INTERNAL",
            "UNKNOWN, UNAVAILABLE",
            "DATA_LOSS, INTERNAL",
    })
    void grpcStatus_mapsToItsCode(Status.Code grpc, ErrorCode expected) {
        final var mapped = GraphQlErrors.map(Status.fromCode(grpc).withDescription("details").asRuntimeException(),
                                             "Query.user");

        assertThat(mapped.code()).isEqualTo(expected);
        assertThat(mapped.extensions()).containsEntry("code", expected.name());
    }

    @Test
    void internalStatus_hidesTheServicesMessage() {
        final var mapped = GraphQlErrors.map(
                Status.INTERNAL.withDescription("NullPointerException at Store.java:42").asRuntimeException(), "Query.user");

        assertThat(mapped.message()).isEqualTo("internal error");
    }

    @Test
    void unexpectedException_isInternal_withoutClassNameOrMessage() {
        final var mapped = GraphQlErrors.map(new IllegalStateException("secret table users_v2 is locked"), "Query.user");

        assertThat(mapped.code()).isEqualTo(ErrorCode.INTERNAL);
        assertThat(mapped.message()).isEqualTo("internal error");
        assertThat(mapped.extensions()).isEqualTo(Map.of("code", "INTERNAL"));
    }

    @Test
    void invalidArgument_carriesTheFieldViolations() {
        final PinholeException bad = PinholeException.invalidArguments()
                .add("username", "already taken")
                .add("email", "is not an email address")
                .build();

        final var mapped = GraphQlErrors.map(new CompletionException(bad.toStatusRuntimeException()), "Mutation.signUp");

        assertThat(mapped.code()).isEqualTo(ErrorCode.BAD_USER_INPUT);
        assertThat(mapped.extensions().get("fields")).isEqualTo(List.of(
                Map.of("field", "username", "description", "already taken"),
                Map.of("field", "email", "description", "is not an email address")));
    }

    @Test
    void resourceExhausted_saysWhenToRetry() {
        final var limited = PinholeException.resourceExhausted("too many likes", Duration.ofMillis(1500));

        final var mapped = GraphQlErrors.map(limited.toStatusRuntimeException(), "Mutation.like");

        assertThat(mapped.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(mapped.message()).isEqualTo("too many likes");
        assertThat(mapped.extensions()).containsEntry("retryAfterSeconds", 2L);
    }

    @Test
    void unimplemented_saysTheFieldIsNotAvailableYet() {
        final var mapped = GraphQlErrors.map(Status.UNIMPLEMENTED.asRuntimeException(), "Query.viewer");

        assertThat(mapped.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(mapped.message()).startsWith("not available yet").contains("Query.viewer");
    }

    @Test
    void openCircuit_isUnavailable() {
        final var open = CallNotPermittedException.createCallNotPermittedException(CircuitBreaker.ofDefaults("svc-x"));

        assertThat(GraphQlErrors.map(open, "Query.feed").code()).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    @Test
    void gatewayException_keepsItsCodeAndMessage() {
        final var mapped = GraphQlErrors.map(GatewayException.unauthenticated("sign in first"), "Query.feed");

        assertThat(mapped.code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThat(mapped.message()).isEqualTo("sign in first");
    }

    @Test
    void fieldViolations_useTheNamesOfTheGraphQlRequest() {
        final PinholeException bad = PinholeException.invalidArguments()
                .add("full_name", "too long")
                .add("user_id", "required")
                .add("page.cursor", "malformed")
                .add("page.limit", "at most 50")
                .add("username", "taken")
                .build();

        final var mapped = GraphQlErrors.map(bad.toStatusRuntimeException(), "User.followers");

        final List<?> fields = (List<?>) mapped.extensions().get("fields");
        assertThat(fields.stream().map(field -> (Object) ((Map<?, ?>) field).get("field")).toList())
                .containsExactly("fullName", "userId", "after", "first", "username");
    }

    @Test
    void uploadMediaViolations_areNamedAfterTheMutationsArguments() {
        final PinholeException bad = PinholeException.invalidArguments()
                .add("chunk", "not an image")
                .add("header", "must come first")
                .add("header.caption", "over 2,200 characters")
                .add("header.location.lat", "out of range")
                .add("media_id", "required")
                .build();

        final var mapped = GraphQlErrors.map(bad.toStatusRuntimeException(), "Mutation.uploadMedia");

        final List<?> fields = (List<?>) mapped.extensions().get("fields");
        assertThat(fields.stream().map(field -> (Object) ((Map<?, ?>) field).get("field")).toList())
                .containsExactly("file", "file", "caption", "location.lat", "mediaId");
    }

    @Test
    void gatewaysBadArgument_isBadUserInput_namingTheArgument() {
        final var mapped = GraphQlErrors.map(GatewayException.badArgument("userId", "must be a Pinhole ID"),
                                             "Mutation.follow");

        assertThat(mapped.code()).isEqualTo(ErrorCode.BAD_USER_INPUT);
        assertThat(mapped.message()).isEqualTo("userId must be a Pinhole ID");
        assertThat(mapped.extensions().get("fields"))
                .isEqualTo(List.of(Map.of("field", "userId", "description", "must be a Pinhole ID")));
    }

    @Test
    void requestErrorMessages_nameNoJavaClass() {
        // GraphQlVariablesFuzzTest's findings: a string or a list as uploadMedia's `file`.
        assertThat(GraphQlErrors.withoutJavaNames("Variable 'file' has an invalid value: Expected a 'MultipartFile' "
                + "like object but was 'class java.util.ArrayList'."))
                .isEqualTo("Variable 'file' has an invalid value: expected a file, sent as a part of a multipart "
                           + "request (GraphQL multipart request spec)");
        assertThat(GraphQlErrors.withoutJavaNames("was class io.pinhole.Foo$Bar, not interface java.util.Map"))
                .isEqualTo("was a value of another type, not a value of another type");
        assertThat(GraphQlErrors.withoutJavaNames("Variable 'n' has an invalid value: Expected a value that can be "
                + "converted to type 'Int' but it was a 'String'"))
                .isEqualTo("Variable 'n' has an invalid value: Expected a value that can be converted to type 'Int' "
                           + "but it was a 'String'");
    }
}
