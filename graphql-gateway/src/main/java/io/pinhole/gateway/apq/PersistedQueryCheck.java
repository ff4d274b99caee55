package io.pinhole.gateway.apq;

import graphql.ExecutionResult;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.preparsed.persisted.PersistedQueryIdInvalid;
import graphql.execution.preparsed.persisted.PersistedQuerySupport;
import io.pinhole.gateway.error.GraphQlErrors;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.support.DefaultExecutionGraphQlResponse;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Checks the {@code extensions.persistedQuery} of an automatic persisted query (Apollo's protocol) before
 * GraphQL-Java's {@code ApolloPersistedQuerySupport} (DGS's APQ support) sees it:
 *
 * <ul>
 *   <li>it must be {@code {version: 1, sha256Hash: <64 hex digits>}}: anything else is BAD_USER_INPUT rather than
 *       a failure deep inside the persisted query cache;</li>
 *   <li>a query sent with a hash must be the hash's query. GraphQL-Java checks that only when it stores the query;
 *       once a hash is known, it would run the stored query and ignore the one sent. A client with a wrong hash
 *       (a bug, or a build that hashes differently) learns it at once instead of getting another operation's
 *       data.</li>
 * </ul>
 *
 * It runs right after {@link GraphQlErrors} (which gives the refusal its code) and before the viewer is resolved,
 * so a refused request costs no call to svc-identity.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class PersistedQueryCheck implements WebGraphQlInterceptor {

    static final String EXTENSION = "persistedQuery";
    static final String MALFORMED = "extensions.persistedQuery must be {\"version\": 1, \"sha256Hash\": \"<64 hex digits>\"}";

    private static final Pattern SHA_256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        final Map<String, Object> extensions = request.getExtensions();
        if (extensions == null || !extensions.containsKey(EXTENSION)) {
            return chain.next(request);
        }
        if (!(extensions.get(EXTENSION) instanceof Map<?, ?> persistedQuery)
            || !(persistedQuery.get("version") instanceof Number version) || version.doubleValue() != 1
            || !(persistedQuery.get("sha256Hash") instanceof String hash) || !SHA_256_HEX.matcher(hash).matches()) {
            return refuse(request, GraphQlErrors.requestError(MALFORMED));
        }
        // Spring for GraphQL stands GraphQL-Java's marker in for a query sent by hash alone.
        final String query = request.getDocument();
        final boolean hashOnly = query == null || query.isBlank() || PersistedQuerySupport.PERSISTED_QUERY_MARKER.equals(query);
        if (!hashOnly && !sha256Hex(query).equalsIgnoreCase(hash)) {
            // Classified as GraphQL-Java's own mismatch error, so that GraphQlErrors maps both the same way.
            return refuse(request, GraphqlErrorBuilder.newError()
                                                      .message(GraphQlErrors.PERSISTED_QUERY_HASH_MISMATCH)
                                                      .errorType(new PersistedQueryIdInvalid(hash))
                                                      .build());
        }
        if (!hash.equals(hash.toLowerCase(Locale.ROOT))) {
            // The cache is keyed by the hash as sent: one query, one key, whatever the client's hex case.
            final Map<String, Object> normalized = new LinkedHashMap<>(extensions);
            normalized.put(EXTENSION, Map.of("version", 1, "sha256Hash", hash.toLowerCase(Locale.ROOT)));
            request.configureExecutionInput((input, builder) -> builder.extensions(normalized).build());
        }
        return chain.next(request);
    }

    /** A response with no data and {@code error}: a request error (HTTP 400 with graphql-response+json). */
    private static Mono<WebGraphQlResponse> refuse(WebGraphQlRequest request, GraphQLError error) {
        final ExecutionResult result = ExecutionResult.newExecutionResult().errors(List.of(error)).build();
        return Mono.just(new WebGraphQlResponse(new DefaultExecutionGraphQlResponse(request.toExecutionInput(), result)));
    }

    static String sha256Hex(String query) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                                                         .digest(query.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
