package io.pinhole.platform.client;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.media.v1.UploadMediaRequest;
import io.pinhole.media.v1.UploadMediaResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The client side of svc-media's streaming {@code UploadMedia}, for Java callers (tests, benchmarks, the demo). */
public final class MediaUploads {

    /** The chunk size sent: well under the contract's 1 MiB limit per message. */
    public static final int CHUNK = 256 * 1024;

    private MediaUploads() {}

    /**
     * Sends {@code header} then {@code image} in chunks and waits for the posted media. A refusal surfaces as the
     * {@code StatusRuntimeException} the service answered.
     */
    public static Media upload(MediaServiceStub stub, UploadHeader header, byte[] image, Duration timeout) {
        final CompletableFuture<Media> posted = new CompletableFuture<>();
        final StreamObserver<UploadMediaRequest> requests = stub.uploadMedia(new StreamObserver<>() {
            @Override
            public void onNext(UploadMediaResponse response) {
                posted.complete(response.getMedia());
            }

            @Override
            public void onError(Throwable error) {
                posted.completeExceptionally(error);
            }

            @Override
            public void onCompleted() {
                posted.completeExceptionally(new IllegalStateException("the upload completed without an answer"));
            }
        });
        requests.onNext(UploadMediaRequest.newBuilder().setHeader(header).build());
        for (int from = 0; from < image.length; from += CHUNK) {
            requests.onNext(UploadMediaRequest.newBuilder()
                    .setChunk(ByteString.copyFrom(image, from, Math.min(CHUNK, image.length - from))).build());
        }
        requests.onCompleted();
        try {
            return posted.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer to the upload within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while uploading", e);
        }
    }
}
