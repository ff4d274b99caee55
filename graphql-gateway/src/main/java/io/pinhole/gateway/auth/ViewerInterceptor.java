package io.pinhole.gateway.auth;

import io.pinhole.gateway.error.GatewayException;
import io.pinhole.gateway.identity.IdentityClient;
import java.util.List;
import java.util.Map;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Reads {@code Authorization: Bearer <token>} once per request, asks svc-identity who it belongs to (one
 * Authenticate call), and puts the answer in the GraphQL context as a {@link ViewerContext}.
 *
 * <p>It never rejects the request itself: a bad token or an unreachable identity service fails only the fields
 * that need the viewer, so the rest of the query still answers. The call is made here, on the request thread,
 * before execution starts, so data fetchers read the viewer without blocking and DataLoaders dispatch as usual.
 */
@Component
public class ViewerInterceptor implements WebGraphQlInterceptor {

    private static final String BEARER = "bearer ";

    private final IdentityClient identity;

    public ViewerInterceptor(IdentityClient identity) {
        this.identity = identity;
    }

    @Override
    public Mono<WebGraphQlResponse> intercept(WebGraphQlRequest request, Chain chain) {
        final ViewerContext viewer = resolve(request.getHeaders().get(HttpHeaders.AUTHORIZATION));
        request.configureExecutionInput(
                (input, builder) -> builder.graphQLContext(Map.of(ViewerContext.class, viewer)).build());
        return chain.next(request);
    }

    ViewerContext resolve(List<String> authorization) {
        if (authorization == null || authorization.isEmpty()) {
            return ViewerContext.anonymous();
        }
        if (authorization.size() > 1) {
            return ViewerContext.failed(GatewayException.unauthenticated("send one Authorization header, not several"));
        }
        final String value = authorization.get(0).trim();
        if (!value.regionMatches(true, 0, BEARER, 0, BEARER.length()) || value.substring(BEARER.length()).isBlank()) {
            return ViewerContext.failed(GatewayException.unauthenticated(
                    "the Authorization header must be 'Bearer <token>'"));
        }
        try {
            return ViewerContext.of(identity.authenticate(value.substring(BEARER.length()).trim()));
        } catch (RuntimeException e) {
            return ViewerContext.failed(e);
        }
    }
}
