package io.pinhole.gateway.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.pinhole.common.v1.PageRequest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What every service client of the gateway needs: futures, pages, times, statuses. */
public final class Grpc {

    private Grpc() {}

    /** A gRPC future as a {@link CompletableFuture}; a failure completes it with the gRPC exception itself. */
    public static <T> CompletableFuture<T> toCompletable(ListenableFuture<T> future) {
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

    /** A list RPC's page request; a null cursor is the first page. */
    public static PageRequest page(int limit, String cursor) {
        return PageRequest.newBuilder().setLimit(limit).setCursor(cursor == null ? "" : cursor).build();
    }

    /** A protobuf time as GraphQL's {@code DateTime} (UTC). */
    public static OffsetDateTime dateTime(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()).atOffset(ZoneOffset.UTC);
    }

    /** GraphQL's Int is 32-bit; never overflow a count into a negative number. */
    public static int count(long value) {
        return (int) Math.min(value, Integer.MAX_VALUE);
    }

    /** Null for an empty string (services send "" for unset text). */
    public static String emptyToNull(String value) {
        return value.isEmpty() ? null : value;
    }

    /** Whether {@code failure} (possibly wrapped by a future) is a gRPC status with {@code code}. */
    public static boolean hasStatus(Throwable failure, Status.Code code) {
        Throwable current = failure;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
               && current.getCause() != null) {
            current = current.getCause();
        }
        return (current instanceof io.grpc.StatusRuntimeException || current instanceof io.grpc.StatusException)
               && Status.fromThrowable(current).getCode() == code;
    }
}
