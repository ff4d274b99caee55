package io.pinhole.gateway.auth;

import static java.util.Objects.requireNonNull;

import graphql.GraphQLContext;
import graphql.schema.DataFetchingEnvironment;
import io.grpc.stub.AbstractStub;
import io.pinhole.gateway.error.GatewayException;
import io.pinhole.platform.server.Viewer;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Who is asking, resolved once per request from the {@code Authorization: Bearer <token>} header by
 * {@link ViewerInterceptor} and kept in the GraphQL context for every data fetcher and DataLoader of the request.
 *
 * <p>{@link #stub} is the one place where the gateway tells a service who the viewer is (the
 * {@value Viewer#HEADER} metadata, written by {@link Viewer#as}).
 */
public final class ViewerContext {

    private static final ViewerContext ANONYMOUS = new ViewerContext(null, null, null, "");

    private final Long viewerId;
    private final RuntimeException failure;
    private final String token;
    private final String clientAddress;

    private ViewerContext(Long viewerId, RuntimeException failure, String token, String clientAddress) {
        this.viewerId = viewerId;
        this.failure = failure;
        this.token = token;
        this.clientAddress = requireNonNull(clientAddress, "clientAddress");
    }

    /** A request without a token (outside HTTP requests: no client address either). */
    public static ViewerContext anonymous() {
        return ANONYMOUS;
    }

    /** A request without a token from {@code clientAddress} (IP address text; empty when unknown). */
    public static ViewerContext anonymous(String clientAddress) {
        return new ViewerContext(null, null, null, clientAddress);
    }

    /** A request from {@code clientAddress} whose bearer {@code token} identified {@code viewerId}. */
    public static ViewerContext of(long viewerId, String token, String clientAddress) {
        return new ViewerContext(viewerId, null, requireNonNull(token, "token"), clientAddress);
    }

    /**
     * A request from {@code clientAddress} whose token could not be resolved: the token is bad (UNAUTHENTICATED) or
     * identity could not say (UNAVAILABLE). Every field that needs the viewer fails with {@code failure}; other
     * fields still answer. {@code token} is the bearer token the request carried (null when the Authorization header
     * was malformed), which {@code logOut} may still revoke.
     */
    public static ViewerContext failed(RuntimeException failure, String token, String clientAddress) {
        return new ViewerContext(null, requireNonNull(failure, "failure"), token, clientAddress);
    }

    /** The context of the request {@code env} belongs to. */
    public static ViewerContext from(DataFetchingEnvironment env) {
        return from(env.getGraphQlContext());
    }

    /** The context of the request whose GraphQL context is {@code context}; anonymous outside HTTP requests. */
    public static ViewerContext from(GraphQLContext context) {
        final ViewerContext viewer = context == null ? null : context.get(ViewerContext.class);
        return viewer == null ? ANONYMOUS : viewer;
    }

    /**
     * The viewer's user ID, empty for an anonymous request.
     *
     * @throws RuntimeException why the request's token could not be resolved (mapped to UNAUTHENTICATED or
     *         UNAVAILABLE by {@link io.pinhole.gateway.error.GraphQlErrors})
     */
    public OptionalLong viewerId() {
        if (failure != null) {
            throw failure;
        }
        return viewerId == null ? OptionalLong.empty() : OptionalLong.of(viewerId);
    }

    /** The viewer's user ID; UNAUTHENTICATED for an anonymous request. */
    public long requireViewerId() {
        return viewerId().orElseThrow(() -> GatewayException.unauthenticated(
                "sign in first: send Authorization: Bearer <token from logIn or signUp>"));
    }

    /**
     * {@code stub} calling as the viewer (anonymous requests call as nobody).
     *
     * @throws RuntimeException as {@link #viewerId()}: a service is never called with an unresolved token
     */
    public <S extends AbstractStub<S>> S stub(S stub) {
        final OptionalLong id = viewerId();
        return id.isPresent() ? Viewer.as(stub, id.getAsLong()) : stub;
    }

    /**
     * The bearer token of the request, whether or not identity accepted it (never logged, never sent anywhere but
     * to identity); empty without a well-formed {@code Authorization: Bearer <token>} header.
     */
    public Optional<String> token() {
        return Optional.ofNullable(token);
    }

    /**
     * The client's IP address as the servlet container saw it ({@code ServletRequest.getRemoteAddr()}), for
     * identity's rate limits; empty when unknown. Behind a proxy this is the proxy's address unless the container
     * is configured to trust forwarding headers ({@code server.forward-headers-strategy}).
     */
    public String clientAddress() {
        return clientAddress;
    }

    @Override
    public String toString() {
        return failure != null ? "ViewerContext[failed]" : "ViewerContext[" + (viewerId == null ? "anonymous" : viewerId) + "]";
    }
}
