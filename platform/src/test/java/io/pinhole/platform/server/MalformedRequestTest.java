package io.pinhole.platform.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import io.grpc.Status;
import io.pinhole.platform.testing.RunningService;
import io.pinhole.test.v1.EchoRequest;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests that are not well-formed gRPC protobuf messages are the caller's mistake: INVALID_ARGUMENT, with no
 * class name in the answer. Armeria and grpc-java answer them INTERNAL (grpc-java's "Invalid protobuf byte
 * sequence"; an IndexOutOfBoundsException from the deframer for a body shorter than its 5-byte header), which
 * clients and alerts read as a bug of ours.
 */
class MalformedRequestTest {

    private static RunningService server;
    private static WebClient client;

    @BeforeAll
    static void start() {
        server = RunningService.start(PinholeServer.builder("svc-test").port(0).service(new EchoService()).build());
        client = WebClient.of(server.baseUrl());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void unparsableMessage_isInvalidArgument() {
        // Field 1 (text, a string) declaring 2^31-1 bytes and holding 3.
        assertAnswered(frame(new byte[] {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 1, 2, 3}, 0),
                       Status.Code.INVALID_ARGUMENT);
        // A string field that is not UTF-8.
        assertAnswered(frame(new byte[] {0x0A, 2, (byte) 0xC3, (byte) 0x28}, 0), Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void bodyShorterThanTheFrameHeader_isInvalidArgument() {
        assertAnswered(new byte[] {0, 0, 0}, Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void frameShorterThanItsLengthPrefix_isInvalidArgument() {
        final byte[] framed = frame(EchoRequest.newBuilder().setText("hello").build().toByteArray(), 0);
        assertAnswered(java.util.Arrays.copyOf(framed, framed.length - 2), Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void compressedFrameWithoutAnEncoding_isInvalidArgument() {
        assertAnswered(frame(EchoRequest.newBuilder().setText("hello").build().toByteArray(), 1),
                       Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void wellFormedMessage_stillWorks() {
        assertAnswered(frame(EchoRequest.newBuilder().setText("hello").build().toByteArray(), 0), Status.Code.OK);
    }

    private static void assertAnswered(byte[] body, Status.Code expected) {
        final AggregatedHttpResponse response = client.execute(
                RequestHeaders.builder(HttpMethod.POST, "/pinhole.test.v1.EchoService/Echo")
                        .contentType(MediaType.create("application", "grpc+proto")).add("te", "trailers").build(),
                HttpData.wrap(body)).aggregate().join();
        final HttpHeaders trailers = response.trailers().contains("grpc-status") ? response.trailers()
                : response.headers();
        assertThat(Status.fromCodeValue(Integer.parseInt(trailers.get("grpc-status"))).getCode()).isEqualTo(expected);
        assertThat(trailers.get("grpc-message", "")).doesNotContain("Exception", "com.linecorp", "io.netty", "io.grpc");
    }

    private static byte[] frame(byte[] message, int compressed) {
        return ByteBuffer.allocate(5 + message.length).put((byte) compressed).putInt(message.length).put(message)
                .array();
    }
}
