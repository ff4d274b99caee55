package io.pinhole.platform.server;

import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.pinhole.platform.error.PinholeException;
import java.util.OptionalLong;

/**
 * The acting user of a call: the one place that reads and writes the viewer metadata.
 *
 * <p>The gateway authenticates the client's bearer token and sends the user's ID in the {@value #HEADER} metadata
 * (decimal). Services trust it because only the gateway and other services can reach them (Kubernetes
 * NetworkPolicy, see k8s/); they never accept a viewer ID in a request message. A service calling another passes the
 * viewer on automatically through {@link #propagatingInterceptor()}.
 */
public final class Viewer {

    /** The metadata header carrying the viewer's user ID. */
    public static final String HEADER = "pinhole-viewer-id";

    static final Metadata.Key<String> KEY = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Long> CONTEXT_KEY = Context.key("pinhole-viewer");

    private Viewer() {}

    /** The viewer of the current call, empty for an anonymous call. */
    public static OptionalLong current() {
        final Long id = CONTEXT_KEY.get();
        return id == null ? OptionalLong.empty() : OptionalLong.of(id);
    }

    /** The viewer of the current call; UNAUTHENTICATED when the call is anonymous. */
    public static long require() {
        return current().orElseThrow(() -> PinholeException.unauthenticated("this call needs a signed-in user"));
    }

    /** {@code stub} sending {@code viewerId} as the viewer of its calls. */
    public static <S extends AbstractStub<S>> S as(S stub, long viewerId) {
        final Metadata headers = new Metadata();
        headers.put(KEY, Long.toString(viewerId));
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** Reads the viewer header into the call's context; a malformed header is refused as UNAUTHENTICATED. */
    public static ServerInterceptor serverInterceptor() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                final String value = headers.get(KEY);
                if (value == null) {
                    return next.startCall(call, headers);
                }
                final long id;
                try {
                    id = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    call.close(io.grpc.Status.UNAUTHENTICATED.withDescription(HEADER + " must be a user ID"),
                               new Metadata());
                    return new ServerCall.Listener<>() {};
                }
                return Contexts.interceptCall(Context.current().withValue(CONTEXT_KEY, id), call, headers, next);
            }
        };
    }

    /** Copies the current call's viewer, if any, onto outgoing calls. */
    public static ClientInterceptor propagatingInterceptor() {
        return new ClientInterceptor() {
            @Override
            public <Q, R> io.grpc.ClientCall<Q, R> interceptCall(io.grpc.MethodDescriptor<Q, R> method,
                                                                io.grpc.CallOptions options,
                                                                io.grpc.Channel next) {
                final Long viewer = CONTEXT_KEY.get();
                return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        if (viewer != null && !headers.containsKey(KEY)) {
                            headers.put(KEY, Long.toString(viewer));
                        }
                        super.start(listener, headers);
                    }
                };
            }
        };
    }
}
