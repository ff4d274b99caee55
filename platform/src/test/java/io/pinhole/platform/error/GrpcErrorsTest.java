package io.pinhole.platform.error;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.stream.ClosedStreamException;
import com.linecorp.armeria.server.RequestTimeoutException;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** What a service answers for exceptions that are not its own bugs (seen under load: a caller giving up). */
class GrpcErrorsTest {

    private final ServiceRequestContext context =
            ServiceRequestContext.of(HttpRequest.of(HttpMethod.POST, "/pinhole.feed.v1.FeedService/GetHomeFeed"));

    private Status.Code codeOf(Throwable error) {
        return Status.fromCodeValue(GrpcErrors.toStatusProto(context, error, new Metadata()).getCode()).getCode();
    }

    @Test
    void aStreamTheCallerResetIsCancelledNotInternal() {
        assertThat(codeOf(ClosedStreamException.get())).isEqualTo(Status.Code.CANCELLED);
        assertThat(codeOf(new CompletionException(ClosedStreamException.get()))).isEqualTo(Status.Code.CANCELLED);
    }

    @Test
    void thePropagatedDeadlinePassingIsDeadlineExceeded() {
        assertThat(codeOf(RequestTimeoutException.get())).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }

    @Test
    void redisAwayOrStillLoading_isUnavailable_butAnErrorReplyToOurCommandIsInternal() {
        // What a kill -9 of Redis showed (the fault suite): commands rejected while reconnecting, LOADING after the
        // restart, the connection reset under a command.
        assertThat(codeOf(new io.lettuce.core.RedisException("Currently not connected. Commands are rejected.")))
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(codeOf(new io.lettuce.core.RedisLoadingException("LOADING Redis is loading the dataset in memory")))
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(codeOf(new io.lettuce.core.RedisCommandTimeoutException("Command timed out after 2 second(s)")))
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(codeOf(new io.lettuce.core.RedisConnectionException("Unable to connect to 127.0.0.1:16379")))
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(codeOf(new CompletionException(new java.net.SocketException("Connection reset by peer"))))
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(codeOf(new io.lettuce.core.RedisCommandExecutionException(
                "WRONGTYPE Operation against a key holding the wrong kind of value")))
                .isEqualTo(Status.Code.INTERNAL);
    }

    @Test
    void aBugIsStillInternalWithoutDetail() {
        final com.google.rpc.Status status = GrpcErrors.toStatusProto(context, new NullPointerException("secret"), new Metadata());
        assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL.value());
        assertThat(status.getMessage()).doesNotContain("secret").isEqualTo("internal error");
    }

    @Test
    void aDownstreamsMalformedAnswer_readByAClientStub_staysInternal() {
        // Only requests this server failed to read are the caller's mistake (MalformedRequestTest): the same parse
        // error met by a client stub inside a handler is a bug between our services.
        final var downstream = Status.INTERNAL.withDescription("Invalid protobuf byte sequence")
                .withCause(new com.google.protobuf.InvalidProtocolBufferException("truncated")).asRuntimeException();
        assertThat(GrpcErrors.isMalformedRequest(downstream)).isFalse();
        assertThat(GrpcErrors.exceptionHandler().apply(context, Status.INTERNAL, downstream, new Metadata()).getCode())
                .isEqualTo(Status.Code.INTERNAL);
    }
}
