package io.pinhole.platform.error;

import com.linecorp.armeria.common.RequestContext;
import com.linecorp.armeria.common.grpc.GoogleGrpcExceptionHandlerFunction;
import com.linecorp.armeria.common.grpc.GrpcExceptionHandlerFunction;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.pinhole.platform.shard.ShardedDatabase.ShardUnavailableException;
import java.sql.SQLTransientException;
import org.apache.ibatis.exceptions.PersistenceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions become gRPC statuses.
 *
 * <p>Caller mistakes ({@link PinholeException}) keep their code and field details; an unreachable dependency
 * becomes UNAVAILABLE so clients may retry; anything else is a bug in Pinhole: it is logged with its stack trace
 * and the caller sees INTERNAL with no detail, never the exception's message.
 */
public final class GrpcErrors {

    private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

    private GrpcErrors() {}

    /** The exception handler every Pinhole gRPC service is built with. */
    public static GrpcExceptionHandlerFunction exceptionHandler() {
        // Armeria's Google flavour sends the returned google.rpc.Status, details included, in the trailers.
        final GrpcExceptionHandlerFunction google = (GoogleGrpcExceptionHandlerFunction) GrpcErrors::toStatusProto;
        // Checked before the Google flavour, which answers any StatusRuntimeException as it is without asking
        // toStatusProto: the request parser's INTERNAL "Invalid protobuf byte sequence" among them.
        return (ctx, status, cause, trailers) -> isMalformedRequest(cause)
                ? Status.INVALID_ARGUMENT.withDescription("the request is not a well-formed gRPC protobuf message")
                : google.apply(ctx, status, cause, trailers);
    }

    /**
     * Whether {@code cause} was thrown while this server read the request: deframing (a body shorter than its frame
     * header or its length prefix, a compressed frame without an encoding) or parsing the message. Armeria and
     * grpc-java answer those INTERNAL, as if the server had a bug; they are the caller's mistake. Told from the
     * stack, so that a downstream service's malformed answer, read by a client stub, stays INTERNAL.
     */
    static boolean isMalformedRequest(Throwable cause) {
        for (Throwable current = cause; current != null; current = current.getCause()) {
            boolean readingRequest = false;
            boolean onServer = false;
            for (StackTraceElement frame : current.getStackTrace()) {
                final String type = frame.getClassName();
                readingRequest |= type.endsWith("MessageDeframer") && type.startsWith("com.linecorp.armeria.")
                                  || frame.getMethodName().equals("deserializeRequest");
                onServer |= type.startsWith("com.linecorp.armeria.server.grpc.")
                            || type.startsWith("com.linecorp.armeria.internal.server.grpc.");
            }
            if (readingRequest && onServer) {
                return true;
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return false;
    }

    static com.google.rpc.Status toStatusProto(RequestContext ctx, Throwable cause, Metadata trailers) {
        final Throwable unwrapped = unwrap(cause);
        if (unwrapped instanceof PinholeException pinhole) {
            return pinhole.toStatusProto();
        }
        if (unwrapped instanceof StatusRuntimeException || unwrapped instanceof StatusException) {
            final com.google.rpc.Status withDetails = StatusProto.fromThrowable(unwrapped);
            return withDetails != null ? withDetails : plain(Status.fromThrowable(unwrapped));
        }
        if (unwrapped instanceof com.linecorp.armeria.common.ResponseCompleteException) {
            // The call already answered (e.g. a stream refused early while the client was still sending): not a bug.
            return plain(Status.CANCELLED.withDescription("the call had already completed"));
        }
        if (unwrapped instanceof com.linecorp.armeria.common.stream.ClosedStreamException) {
            // The caller reset the stream (its deadline passed or it gave up): nobody reads this answer, not a bug.
            return plain(Status.CANCELLED.withDescription("the caller cancelled the call"));
        }
        if (unwrapped instanceof com.linecorp.armeria.server.RequestTimeoutException) {
            // The caller's deadline (propagated as this server's request timeout) passed while we worked.
            return plain(Status.DEADLINE_EXCEEDED.withDescription("the caller's deadline passed"));
        }
        if (isUnavailable(unwrapped)) {
            log.warn("{} failed: a dependency is unavailable: {}", method(ctx), unwrapped.toString());
            return plain(Status.UNAVAILABLE.withDescription("temporarily unavailable, retry later"));
        }
        final Status armeria = Status.fromThrowable(unwrapped);
        if (armeria.getCode() != Status.Code.UNKNOWN && armeria.getCode() != Status.Code.INTERNAL) {
            // Armeria already knows a precise code (cancelled, deadline exceeded, malformed message…).
            return plain(armeria);
        }
        log.error("{} failed with an unexpected exception", method(ctx), unwrapped);
        return plain(Status.INTERNAL.withDescription("internal error"));
    }

    private static com.google.rpc.Status plain(Status status) {
        final var proto = com.google.rpc.Status.newBuilder().setCode(status.getCode().value());
        if (status.getDescription() != null) {
            proto.setMessage(status.getDescription());
        }
        return proto.build();
    }

    private static Throwable unwrap(Throwable cause) {
        Throwable current = cause;
        while ((current instanceof java.util.concurrent.CompletionException
                || current instanceof java.util.concurrent.ExecutionException
                || current instanceof PersistenceException && current.getCause() instanceof PinholeException)
               && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static boolean isUnavailable(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof ShardUnavailableException
                || current instanceof SQLTransientException
                || current instanceof java.net.ConnectException
                || isRedisUnavailable(current)
                // the connection to a server broke under the call (not any IOException: a decoder's is not that)
                || current instanceof java.net.SocketException
                || current instanceof java.nio.channels.ClosedChannelException
                || current instanceof io.netty.channel.unix.Errors.NativeIoException
                || current instanceof CallNotPermittedException
                || current instanceof java.sql.SQLException sql && isConnectionLoss(sql.getSQLState())) {
                return true;
            }
            if (current.getCause() == current) {
                break;
            }
        }
        return false;
    }

    /**
     * Redis is away (not connected, the connection broke, a command timed out) or not ready yet (LOADING its
     * append-only file after a restart, BUSY with a script). An error reply to a command we sent (WRONGTYPE, a Lua
     * error) is our bug, not Redis's absence, and stays INTERNAL.
     */
    private static boolean isRedisUnavailable(Throwable error) {
        if (error instanceof io.lettuce.core.RedisLoadingException || error instanceof io.lettuce.core.RedisBusyException) {
            return true;
        }
        return error instanceof io.lettuce.core.RedisException
               && !(error instanceof io.lettuce.core.RedisCommandExecutionException);
    }

    /**
     * SQLSTATE class 08 (connection exception) and 57P01–57P03 (the server is shutting down, crashed or not yet
     * accepting connections): the database went away under the call, which a retry may not meet.
     */
    private static boolean isConnectionLoss(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("57P"));
    }

    private static String method(RequestContext ctx) {
        return ctx == null ? "call" : ctx.method() + " " + ctx.path();
    }
}
