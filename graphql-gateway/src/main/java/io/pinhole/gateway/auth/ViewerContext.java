package io.pinhole.gateway.auth;

import static java.util.Objects.requireNonNull;

import graphql.GraphQLContext;
import graphql.schema.DataFetchingEnvironment;
import io.grpc.stub.AbstractStub;
import io.pinhole.gateway.error.GatewayException;
import io.pinhole.platform.server.Viewer;
import java.util.OptionalLong;

/**
 * Who is asking, resolved once per request from the {@code Authorization: Bearer <token>} header by
 * {@link ViewerInterceptor} and kept in the GraphQL context for every data fetcher and DataLoader of the request.
 *
 * <p>{@link #stub} is the one place where the gateway tells a service who the viewer is (the
 * {@value Viewer#HEADER} metadata, written by {@link Viewer#as}).
 */
public final class ViewerContext {

    private static final ViewerContext ANONYMOUS = new ViewerContext(null, null);

    private final Long viewerId;
    private final RuntimeException failure;

    private ViewerContext(Long viewerId, RuntimeException failure) {
        this.viewerId = viewerId;
        this.failure = failure;
    }

    /** A request without a token. */
    public static ViewerContext anonymous() {
        return ANONYMOUS;
    }

    /** A request whose token identified {@code viewerId}. */
    public static ViewerContext of(long viewerId) {
        return new ViewerContext(viewerId, null);
    }

    /**
     * A request whose token could not be resolved: the token is bad (UNAUTHENTICATED) or identity could not say
     * (UNAVAILABLE). Every field that needs the viewer fails with {@code failure}; other fields still answer.
     */
    public static ViewerContext failed(RuntimeException failure) {
        return new ViewerContext(null, requireNonNull(failure, "failure"));
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

    @Override
    public String toString() {
        return failure != null ? "ViewerContext[failed]" : "ViewerContext[" + (viewerId == null ? "anonymous" : viewerId) + "]";
    }
}
