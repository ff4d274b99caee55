package io.pinhole.gateway;

import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.grpc.BindableService;
import io.grpc.Contexts;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.pinhole.identity.v1.AuthenticateRequest;
import io.pinhole.identity.v1.AuthenticateResponse;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.GetUsersResponse;
import io.pinhole.identity.v1.IdentityServiceGrpc;
import io.pinhole.identity.v1.User;
import io.pinhole.platform.server.Viewer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for svc-identity (a skeleton until issue 4): a real gRPC server on a free local port, speaking the
 * real {@code pinhole.identity.v1.IdentityService} contract with fixed answers, recording what it was asked.
 */
final class FakeIdentity extends IdentityServiceGrpc.IdentityServiceImplBase implements AutoCloseable {

    static final String ADA_TOKEN = "session-token-of-ada";
    static final long ADA_ID = 1_234_567_890_123_456_789L; // beyond 2^53: must travel as a decimal string
    static final User ADA = User.newBuilder()
                                .setId(ADA_ID)
                                .setUsername("ada")
                                .setFullName("Ada Lovelace")
                                .setBio("Analyst of engines")
                                .setFollowerCount(1843)
                                .setFollowingCount(12)
                                .setMediaCount(7)
                                .build();
    private static final Map<Long, User> USERS = Map.of(ADA_ID, ADA);

    final AtomicInteger authenticateCalls = new AtomicInteger();
    final List<List<Long>> getUsersRequests = new CopyOnWriteArrayList<>();
    /** The {@value Viewer#HEADER} metadata of each GetUsers call ("" when absent). */
    final List<String> getUsersViewers = new CopyOnWriteArrayList<>();

    private static final Context.Key<String> VIEWER = Context.key("viewer-header");
    private Server server;

    /** Starts {@code service} (a FakeIdentity, or a bare skeleton) on a free port. */
    static Server serve(BindableService service) {
        final Metadata.Key<String> header = Metadata.Key.of(Viewer.HEADER, Metadata.ASCII_STRING_MARSHALLER);
        final ServerInterceptor recordViewer = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                final String viewer = headers.get(header);
                return Contexts.interceptCall(Context.current().withValue(VIEWER, viewer == null ? "" : viewer),
                                              call, headers, next);
            }
        };
        final Server server = Server.builder()
                                    .http(0)
                                    .service(GrpcService.builder()
                                                        .addService(ServerInterceptors.intercept(service, recordViewer))
                                                        .build())
                                    .build();
        server.start().join();
        return server;
    }

    static FakeIdentity start() {
        final FakeIdentity fake = new FakeIdentity();
        fake.server = serve(fake);
        return fake;
    }

    String address() {
        return "127.0.0.1:" + server.activeLocalPort();
    }

    @Override
    public void authenticate(AuthenticateRequest request, StreamObserver<AuthenticateResponse> response) {
        authenticateCalls.incrementAndGet();
        if (!ADA_TOKEN.equals(request.getToken())) {
            response.onError(Status.UNAUTHENTICATED.withDescription("unknown or expired session").asRuntimeException());
            return;
        }
        response.onNext(AuthenticateResponse.newBuilder().setUserId(ADA_ID).build());
        response.onCompleted();
    }

    @Override
    public void getUsers(GetUsersRequest request, StreamObserver<GetUsersResponse> response) {
        getUsersRequests.add(List.copyOf(request.getUserIdsList()));
        getUsersViewers.add(VIEWER.get());
        final GetUsersResponse.Builder users = GetUsersResponse.newBuilder();
        request.getUserIdsList().stream().distinct().filter(USERS::containsKey)
               .forEach(id -> users.putUsers(id, USERS.get(id)));
        response.onNext(users.build());
        response.onCompleted();
    }

    @Override
    public void close() {
        server.stop().join();
    }
}
