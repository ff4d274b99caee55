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
    void aBugIsStillInternalWithoutDetail() {
        final com.google.rpc.Status status = GrpcErrors.toStatusProto(context, new NullPointerException("secret"), new Metadata());
        assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL.value());
        assertThat(status.getMessage()).doesNotContain("secret").isEqualTo("internal error");
    }
}
