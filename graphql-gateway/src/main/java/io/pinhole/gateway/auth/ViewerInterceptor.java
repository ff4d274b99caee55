package io.pinhole.gateway.auth;

import io.pinhole.gateway.error.GatewayException;
import io.pinhole.gateway.identity.IdentityClient;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.springframework.graphql.server.WebGraphQlInterceptor;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
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
        final ViewerContext viewer = resolve(request.getHeaders().get(HttpHeaders.AUTHORIZATION),
                                             clientAddress(request));
        request.configureExecutionInput(
                (input, builder) -> builder.graphQLContext(Map.of(ViewerContext.class, viewer)).build());
        return chain.next(request);
    }

    ViewerContext resolve(List<String> authorization, String clientAddress) {
        if (authorization == null || authorization.isEmpty()) {
            return ViewerContext.anonymous(clientAddress);
        }
        if (authorization.size() > 1) {
            return ViewerContext.failed(GatewayException.unauthenticated("send one Authorization header, not several"),
                                        null, clientAddress);
        }
        final String value = authorization.get(0).trim();
        if (!value.regionMatches(true, 0, BEARER, 0, BEARER.length()) || value.substring(BEARER.length()).isBlank()) {
            return ViewerContext.failed(GatewayException.unauthenticated(
                    "the Authorization header must be 'Bearer <token>'"), null, clientAddress);
        }
        final String token = value.substring(BEARER.length()).trim();
        try {
            return ViewerContext.of(identity.authenticate(token), token, clientAddress);
        } catch (RuntimeException e) {
            return ViewerContext.failed(e, token, clientAddress);
        }
    }

    /**
     * The client's IP address as {@code ServletRequest.getRemoteAddr()} gives it. This runs on the request thread
     * (Spring for GraphQL's Web MVC handler subscribes to the interceptor chain there), where the servlet request is
     * at hand; otherwise it falls back to the address Spring for GraphQL recorded. Empty when neither is known.
     */
    static String clientAddress(WebGraphQlRequest request) {
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes servlet) {
            final String address = servlet.getRequest().getRemoteAddr();
            if (address != null) {
                return address;
            }
        }
        final InetSocketAddress remote = request.getRemoteAddress();
        return remote != null && remote.getAddress() != null ? remote.getAddress().getHostAddress() : "";
    }
}
