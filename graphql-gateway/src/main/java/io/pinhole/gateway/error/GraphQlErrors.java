package io.pinhole.gateway.error;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.RetryInfo;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.schema.DataFetchingEnvironment;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.pinhole.platform.error.PinholeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.graphql.execution.DataFetcherExceptionResolverAdapter;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The one place where failures become GraphQL errors, each with an {@code extensions.code} from {@link ErrorCode}.
 *
 * <ul>
 *   <li>As a data fetcher exception resolver (Spring for GraphQL asks it before DGS's default handler) it maps every
 *       exception a data fetcher or DataLoader throws: gRPC statuses by code, the gateway's own
 *       {@link GatewayException}s as they are, and anything else to INTERNAL with a generic message (the details go
 *       to the log, never to the client: no class names, no stack traces).</li>
 *   <li>As a request interceptor it gives a code to the errors GraphQL-Java makes before any data fetcher runs
 *       (syntax, validation, the request limits): BAD_USER_INPUT; and to automatic persisted queries' errors:
 *       PERSISTED_QUERY_NOT_FOUND (an unknown hash) and BAD_USER_INPUT (a hash that is not the query's).</li>
 * </ul>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class GraphQlErrors extends DataFetcherExceptionResolverAdapter implements WebGraphQlInterceptor {

    private static final Logger log = LoggerFactory.getLogger(GraphQlErrors.class);

    static final String CODE = "code";
    static final String FIELDS = "fields";
    static final String RETRY_AFTER_SECONDS = "retryAfterSeconds";

    /** GraphQL-Java classifications of errors in the request itself (the client's to fix). */
    private static final Set<String> REQUEST_ERRORS = Set.of(
            graphql.ErrorType.InvalidSyntax.name(), graphql.ErrorType.ValidationError.name(),
            graphql.ErrorType.OperationNotSupported.name(), graphql.ErrorType.ExecutionAborted.name(),
            "IntrospectionDisabled"); // production profile: a query for __schema or __type
    private static final String NULL_IN_NON_NULL = graphql.ErrorType.NullValueInNonNullableField.name();
    /** GraphQL-Java's APQ errors ({@code graphql.execution.preparsed.persisted}), by classification. */
    private static final String PERSISTED_QUERY_NOT_FOUND = "PersistedQueryNotFound";
    private static final String PERSISTED_QUERY_ID_INVALID = "PersistedQueryIdInvalid";
    /** The message of a persisted query whose {@code sha256Hash} is not the SHA-256 of the query sent with it. */
    public static final String PERSISTED_QUERY_HASH_MISMATCH =
            "persistedQuery.sha256Hash is not the SHA-256 of the query sent with it";

    @Override
    protected GraphQLError resolveToSingleError(Throwable exception, DataFetchingEnvironment env) {
        final String field = env.getExecutionStepInfo().getObjectType().getName() + "." + env.getField().getName();
        final Mapped mapped = map(unwrap(exception), field);
        return GraphqlErrorBuilder.newError(env)
                                  .message(mapped.message())
                                  .errorType(mapped.code().errorType())
                                  .extensions(mapped.extensions())
                                  .build();
    }

    /**
     * A BAD_USER_INPUT error about the request as a whole (its HTTP form, a limit), for answers the gateway gives
     * before GraphQL runs.
     */
    public static GraphQLError requestError(String message) {
        return GraphqlErrorBuilder.newError()
                                  .message(message)
                                  .errorType(ErrorCode.BAD_USER_INPUT.errorType())
                                  .extensions(Map.of(CODE, ErrorCode.BAD_USER_INPUT.name()))
                                  .build();
    }

    /** A GraphQL error for {@code exception}, mapped as a data fetcher's would be (for code outside fetchers). */
    public static Mapped map(Throwable exception, String field) {
        final Throwable cause = unwrap(exception);
        if (cause instanceof GatewayException gateway) {
            final List<Map<String, String>> fields = gateway.fields().stream()
                    .map(violation -> Map.of("field", violation.field(), "description", violation.description()))
                    .toList();
            return new Mapped(gateway.code(), gateway.getMessage(), fields.isEmpty() ? Map.of() : Map.of(FIELDS, fields));
        }
        if (cause instanceof PinholeException pinhole) {
            return fromStatus(pinhole.toStatusProto(), field);
        }
        if (cause instanceof StatusRuntimeException || cause instanceof StatusException) {
            final com.google.rpc.Status withDetails = StatusProto.fromThrowable(cause);
            return fromStatus(withDetails != null ? withDetails : plain(Status.fromThrowable(cause)), field);
        }
        if (cause instanceof CallNotPermittedException) {
            return unavailable(field);
        }
        log.error("{} failed with an unexpected exception", field, cause);
        return new Mapped(ErrorCode.INTERNAL, "internal error", Map.of());
    }

    private static Mapped fromStatus(com.google.rpc.Status status, String field) {
        final Status.Code grpcCode = Status.fromCodeValue(status.getCode()).getCode();
        final String description = status.getMessage().isEmpty() ? grpcCode.name() : status.getMessage();
        return switch (grpcCode) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE ->
                    new Mapped(ErrorCode.BAD_USER_INPUT, description, fieldViolations(status));
            case NOT_FOUND -> new Mapped(ErrorCode.NOT_FOUND, description, Map.of());
            case ALREADY_EXISTS, ABORTED -> new Mapped(ErrorCode.CONFLICT, description, fieldViolations(status));
            case PERMISSION_DENIED -> new Mapped(ErrorCode.FORBIDDEN, description, Map.of());
            case UNAUTHENTICATED -> new Mapped(ErrorCode.UNAUTHENTICATED, description, Map.of());
            case RESOURCE_EXHAUSTED -> new Mapped(ErrorCode.RATE_LIMITED, description, retryInfo(status));
            case UNIMPLEMENTED -> new Mapped(ErrorCode.UNAVAILABLE,
                    "not available yet: the service behind " + field + " does not implement it", Map.of());
            // UNKNOWN: Pinhole's services never answer it (GrpcErrors answers INTERNAL for a bug); the gRPC client
            // reports it for a call the transport lost (a reset stream, a closed connection under overload).
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, UNKNOWN -> {
                log.warn("{} failed: a service is unavailable: {} {}", field, grpcCode, status.getMessage());
                yield unavailable(field);
            }
            default -> {
                log.error("{} failed: a service answered {} {}", field, grpcCode, status.getMessage());
                yield new Mapped(ErrorCode.INTERNAL, "internal error", Map.of());
            }
        };
    }

    private static Mapped unavailable(String field) {
        return new Mapped(ErrorCode.UNAVAILABLE, field + " is temporarily unavailable, retry later", Map.of());
    }

    private static Map<String, Object> fieldViolations(com.google.rpc.Status status) {
        final List<Map<String, String>> fields = new ArrayList<>();
        for (Any detail : status.getDetailsList()) {
            if (detail.is(BadRequest.class)) {
                try {
                    for (BadRequest.FieldViolation violation : detail.unpack(BadRequest.class).getFieldViolationsList()) {
                        fields.add(Map.of("field", graphQlName(violation.getField()),
                                          "description", violation.getDescription()));
                    }
                } catch (InvalidProtocolBufferException e) {
                    log.warn("unreadable BadRequest detail", e);
                }
            }
        }
        return fields.isEmpty() ? Map.of() : Map.of(FIELDS, fields);
    }

    /**
     * A service's field path in the names the client used: every list RPC's {@code page.limit} and
     * {@code page.cursor} are the connection arguments {@code first} and {@code after}; other paths are proto field
     * names, which the GraphQL schema spells in lowerCamelCase ({@code full_name} → {@code fullName},
     * {@code user_id} → {@code userId}); UploadMedia's {@code header} and {@code chunk} are the {@code file}.
     */
    static String graphQlName(String protoPath) {
        return switch (protoPath) {
            case "page.limit", "limit" -> "first";
            case "page.cursor" -> "after";
            case "near_lat" -> "lat"; // SearchLocations: Query.locations(lat, lng)
            case "near_lng" -> "lng";
            // UploadMedia's stream: the header message and the bytes are the GraphQL argument `file`; the header's
            // fields are uploadMedia's other arguments (`header.caption` → `caption`, `header.location.lat` → …).
            case "header", "chunk" -> "file";
            default -> {
                final String path = protoPath.startsWith("header.") ? protoPath.substring("header.".length()) : protoPath;
                final StringBuilder name = new StringBuilder(path.length());
                boolean upper = false;
                for (char c : path.toCharArray()) {
                    if (c == '_') {
                        upper = true;
                    } else {
                        name.append(upper ? Character.toUpperCase(c) : c);
                        upper = false;
                    }
                }
                yield name.toString();
            }
        };
    }

    private static Map<String, Object> retryInfo(com.google.rpc.Status status) {
        for (Any detail : status.getDetailsList()) {
            if (detail.is(RetryInfo.class)) {
                try {
                    final var delay = detail.unpack(RetryInfo.class).getRetryDelay();
                    final long seconds = delay.getSeconds() + (delay.getNanos() > 0 ? 1 : 0);
                    return Map.of(RETRY_AFTER_SECONDS, seconds);
                } catch (InvalidProtocolBufferException e) {
                    log.warn("unreadable RetryInfo detail", e);
                }
            }
        }
        return Map.of();
    }

    private static com.google.rpc.Status plain(Status status) {
        final var proto = com.google.rpc.Status.newBuilder().setCode(status.getCode().value());
        if (status.getDescription() != null) {
            proto.setMessage(status.getDescription());
        }
        return proto.build();
    }

    private static Throwable unwrap(Throwable exception) {
        Throwable current = exception;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
               && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /** Gives a code to the errors that no data fetcher raised (syntax, validation, limits). */
    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        return chain.next(request).map(response -> {
            final List<GraphQLError> errors = response.getExecutionResult().getErrors();
            if (errors.stream().allMatch(error -> hasCode(error))) {
                return response;
            }
            return response.transform(builder -> builder.errors(errors.stream().map(GraphQlErrors::withCode).toList()));
        });
    }

    private static boolean hasCode(GraphQLError error) {
        return error.getExtensions() != null && error.getExtensions().containsKey(CODE);
    }

    private static GraphQLError withCode(GraphQLError error) {
        if (hasCode(error)) {
            return error;
        }
        final Map<String, Object> extensions = new LinkedHashMap<>();
        if (error.getExtensions() != null) {
            extensions.putAll(error.getExtensions());
        }
        // DGS rewrites GraphQL-Java's errors (its own errorType BAD_REQUEST) but keeps the original
        // classification in the extensions; read that first.
        final Object classification = extensions.get("classification");
        final String kind = classification != null ? classification.toString()
                            : error.getErrorType() != null ? error.getErrorType().toString() : "";
        final boolean requestError = REQUEST_ERRORS.contains(kind);
        final ErrorCode code;
        final String message;
        if (PERSISTED_QUERY_NOT_FOUND.equals(kind)) {
            code = ErrorCode.PERSISTED_QUERY_NOT_FOUND;
            message = PERSISTED_QUERY_NOT_FOUND; // Apollo's clients compare the message too
        } else if (PERSISTED_QUERY_ID_INVALID.equals(kind)) {
            code = ErrorCode.BAD_USER_INPUT;
            message = PERSISTED_QUERY_HASH_MISMATCH;
        } else {
            code = requestError ? ErrorCode.BAD_USER_INPUT : ErrorCode.INTERNAL;
            // A request error's message explains the request; anything else could leak internals.
            message = requestError || NULL_IN_NON_NULL.equals(kind) ? withoutJavaNames(error.getMessage())
                                                                    : "internal error";
        }
        extensions.put(CODE, code.name());
        return GraphqlErrorBuilder.newError()
                                  .message(message)
                                  .locations(error.getLocations())
                                  .path(error.getPath())
                                  .errorType(error.getErrorType())
                                  .extensions(extensions)
                                  .build();
    }

    /** The Upload scalar's refusal of a variable that is not a file part ("but was 'class java.lang.String'"). */
    private static final java.util.regex.Pattern NOT_A_FILE =
            java.util.regex.Pattern.compile("Expected a 'MultipartFile' like object but was '[^']*'\\.?");
    /** A Java class as {@code Class.toString()} writes it, quoted or not. */
    private static final java.util.regex.Pattern JAVA_CLASS =
            java.util.regex.Pattern.compile("'?(?:class|interface) (?:[a-z_][\\w]*\\.)+[A-Z][\\w$]*'?");

    /**
     * A request error's message without Java class names: GraphQL-Java's messages are written for clients, but a
     * scalar's coercion message is its library's (found by GraphQlVariablesFuzzTest: a string or a list sent as
     * the {@code file} of uploadMedia came back naming {@code java.lang.String}, {@code java.util.ArrayList}).
     */
    static String withoutJavaNames(String message) {
        if (message == null) {
            return null;
        }
        final String upload = NOT_A_FILE.matcher(message)
                .replaceAll("expected a file, sent as a part of a multipart request (GraphQL multipart request spec)");
        return JAVA_CLASS.matcher(upload).replaceAll("a value of another type");
    }

    /** A mapped failure: its code, the message a client sees, and extensions besides the code. */
    public record Mapped(ErrorCode code, String message, Map<String, Object> extensions) {
        public Mapped {
            final Map<String, Object> all = new LinkedHashMap<>();
            all.put(CODE, code.name());
            all.putAll(extensions);
            extensions = java.util.Collections.unmodifiableMap(all);
        }
    }
}
