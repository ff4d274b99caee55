package io.pinhole.gateway.identity;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.pinhole.gateway.auth.ViewerContext;
import io.pinhole.gateway.config.GatewaySettings;
import io.pinhole.gateway.error.ErrorCode;
import io.pinhole.gateway.error.GatewayException;
import io.pinhole.gateway.model.User;
import io.pinhole.identity.v1.AuthenticateRequest;
import io.pinhole.identity.v1.GetUsersRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceFutureStub;
import io.pinhole.platform.client.ServiceClients;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.springframework.stereotype.Component;

/**
 * svc-identity as the gateway uses it: one stub (platform {@link ServiceClients}: deadline, circuit breaker named
 * {@code svc-identity}) for every call.
 */
@Component
public class IdentityClient {

    /** GetUsers takes at most this many IDs (identity.proto). */
    public static final int MAX_BATCH = 100;

    private final IdentityServiceFutureStub stub;

    public IdentityClient(GatewaySettings settings) {
        this.stub = ServiceClients.create("svc-identity", settings.identityAddress(), IdentityServiceFutureStub.class,
                                          ServiceClients.Settings.defaults().withDeadline(settings.backendDeadline()));
    }

    /**
     * The user a session token belongs to. Blocks the calling thread (the request thread, before execution).
     *
     * @throws io.grpc.StatusRuntimeException UNAUTHENTICATED for an unknown or expired token, UNAVAILABLE when
     *         identity cannot answer
     */
    public long authenticate(String token) {
        requireNonNull(token, "token");
        try {
            final var response = stub.authenticate(AuthenticateRequest.newBuilder().setToken(token).build()).get();
            return response.getUserId();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorCode.UNAVAILABLE, "interrupted while asking svc-identity");
        }
    }

    /**
     * The users with {@code ids} (at most {@value #MAX_BATCH}), as {@code viewer} may see them; IDs identity does
     * not know are absent.
     */
    public CompletableFuture<Map<Long, User>> getUsers(ViewerContext viewer, Set<Long> ids) {
        final var request = GetUsersRequest.newBuilder().addAllUserIds(ids).build();
        return toCompletable(viewer.stub(stub).getUsers(request)).thenApply(response -> {
            final Map<Long, User> users = new HashMap<>();
            response.getUsersMap().forEach((id, user) -> users.put(id, toGraphQl(user)));
            return users;
        });
    }

    static User toGraphQl(io.pinhole.identity.v1.User user) {
        return new User(Long.toString(user.getId()), user.getUsername(), emptyToNull(user.getFullName()),
                        emptyToNull(user.getBio()), emptyToNull(user.getWebsite()), emptyToNull(user.getAvatarUrl()),
                        user.getIsPrivate(), count(user.getFollowerCount()), count(user.getFollowingCount()),
                        count(user.getMediaCount()));
    }

    /** GraphQL's Int is 32-bit; no account comes near, but never overflow into a negative count. */
    private static int count(long value) {
        return (int) Math.min(value, Integer.MAX_VALUE);
    }

    private static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }

    private static <T> CompletableFuture<T> toCompletable(ListenableFuture<T> future) {
        final CompletableFuture<T> result = new CompletableFuture<>();
        Futures.addCallback(future, new FutureCallback<>() {
            @Override
            public void onSuccess(T value) {
                result.complete(value);
            }

            @Override
            public void onFailure(Throwable failure) {
                result.completeExceptionally(failure);
            }
        }, MoreExecutors.directExecutor());
        return result;
    }
}
