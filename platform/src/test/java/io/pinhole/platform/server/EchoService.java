package io.pinhole.platform.server;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.pinhole.platform.error.PinholeException;
import io.pinhole.test.v1.EchoRequest;
import io.pinhole.test.v1.EchoResponse;
import io.pinhole.test.v1.EchoServiceGrpc;
import java.util.concurrent.atomic.AtomicInteger;

/** A test service whose behaviour each request chooses, to exercise the server kit end to end. */
final class EchoService extends EchoServiceGrpc.EchoServiceImplBase {

    final AtomicInteger calls = new AtomicInteger();
    volatile EchoServiceGrpc.EchoServiceBlockingStub downstream;

    @Override
    public void echo(EchoRequest request, StreamObserver<EchoResponse> responses) {
        calls.incrementAndGet();
        switch (request.getFailWith()) {
            case "invalid" -> throw PinholeException.invalidArguments()
                    .add("text", "must not be empty")
                    .add("fail_with", "must be empty")
                    .build();
            case "not_found" -> throw PinholeException.notFound("no echo here");
            case "bug" -> throw new IllegalStateException("secret internal detail");
            case "unavailable" -> {
                responses.onError(Status.UNAVAILABLE.withDescription("down for the test").asRuntimeException());
                return;
            }
            case "slow" -> {
                try {
                    Thread.sleep(300); // stands for slow work on the blocking executor, not for synchronisation
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            case "downstream" -> {
                responses.onNext(downstream.echo(request.toBuilder().setFailWith("").build()));
                responses.onCompleted();
                return;
            }
            default -> { }
        }
        responses.onNext(EchoResponse.newBuilder()
                .setText(request.getText())
                .setViewerId(Viewer.current().orElse(0))
                .setThread(Thread.currentThread().getName())
                .build());
        responses.onCompleted();
    }
}
