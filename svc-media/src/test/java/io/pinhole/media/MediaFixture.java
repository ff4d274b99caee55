package io.pinhole.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.server.Viewer;
import io.pinhole.platform.testing.RunningService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * svc-media and the svc-identity it asks about owners, once per test JVM, on devstack's PostgreSQL ×2, Redis,
 * memcached and S3. Register with {@code @ExtendWith({DevstackExtension.class, MediaFixture.class})}; both services
 * stop at the end of the run, before devstack.
 */
final class MediaFixture implements BeforeAllCallback {

    private static RunningService identity;
    private static RunningService media;
    private static final AtomicInteger names = new AtomicInteger();
    private static final String RUN = Long.toString(System.nanoTime() % 100_000, 36);

    MediaFixture() {}

    @Override
    public void beforeAll(ExtensionContext context) {
        final Devstack devstack = DevstackExtension.shared(context);
        final ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(MediaFixture.class));
        synchronized (MediaFixture.class) {
            // Each service calls the other (identity checks avatars with media): media's port is chosen first.
            final int mediaPort = freePort();
            identity = store.getOrComputeIfAbsent("identity", key -> {
                devstack.postgres().createDatabase(PinholeService.IDENTITY.databaseName());
                final Map<String, String> env = base(devstack);
                env.put("PINHOLE_IDENTITY_PORT", "0");
                env.put("PINHOLE_ARGON2_MEMORY_KIB", "1024");
                env.put("PINHOLE_ARGON2_ITERATIONS", "1");
                env.put("PINHOLE_MEDIA_ADDRESS", "127.0.0.1:" + mediaPort);
                return RunningService.start(io.pinhole.identity.Main.newServer(Env.of(env)));
            }, RunningService.class);
            media = store.getOrComputeIfAbsent("media", key -> {
                devstack.postgres().createDatabase(PinholeService.MEDIA.databaseName());
                final Map<String, String> env = base(devstack);
                env.putAll(devstack.s3().environment(Devstack.DEFAULT_BUCKET));
                env.put("PINHOLE_MEDIA_PORT", Integer.toString(mediaPort));
                env.put("PINHOLE_IDENTITY_ADDRESS", "127.0.0.1:" + identity.baseUrl().substring(identity.baseUrl().lastIndexOf(':') + 1));
                env.put("PINHOLE_MEDIA_MAX_UPLOAD_BYTES", Integer.toString(2 * 1024 * 1024));
                return RunningService.start(Main.newServer(Env.of(env)));
            }, RunningService.class);
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, String> base(Devstack devstack) {
        final Map<String, String> env = new HashMap<>();
        env.putAll(devstack.postgres().environment());
        env.putAll(devstack.redis().environment());
        env.putAll(devstack.memcached().environment());
        return env;
    }

    static RunningService service() {
        return media;
    }

    static MediaServiceBlockingStub anonymous() {
        return media.client(MediaServiceBlockingStub.class);
    }

    static MediaServiceBlockingStub as(long viewer) {
        return Viewer.as(anonymous(), viewer);
    }

    static IdentityServiceBlockingStub identity(long viewer) {
        return Viewer.as(identity.client(IdentityServiceBlockingStub.class), viewer);
    }

    static String uniqueName(String prefix) {
        return (prefix + "_" + RUN + names.incrementAndGet()).toLowerCase();
    }

    static long newUser(String prefix) {
        final String name = uniqueName(prefix);
        return identity.client(IdentityServiceBlockingStub.class).signUp(SignUpRequest.newBuilder().setUsername(name)
                .setEmail(name + "@example.com").setPassword("correct horse battery").build()).getUser().getId();
    }

    static String usernameOf(long userId) {
        return identity.client(IdentityServiceBlockingStub.class).getUsers(
                io.pinhole.identity.v1.GetUsersRequest.newBuilder().addUserIds(userId).build()).getUsersOrThrow(userId).getUsername();
    }

    /** Uploads {@code image} in 64 KiB chunks after {@code header}; the media, or the call's error. */
    static Media upload(long viewer, UploadHeader header, byte[] image) {
        return upload(Long.valueOf(viewer), header, image);
    }

    /** As {@link #upload(long, UploadHeader, byte[])}; a null viewer uploads anonymously. */
    static Media upload(Long viewer, UploadHeader header, byte[] image) {
        final MediaServiceStub stub = media.client(MediaServiceStub.class);
        return io.pinhole.platform.client.MediaUploads.upload(viewer == null ? stub : Viewer.as(stub, viewer), header,
                                                              image, java.time.Duration.ofSeconds(30));
    }

    static Media upload(long viewer, String caption) {
        return upload(viewer, UploadHeader.newBuilder().setCaption(caption).build(), SMALL_PHOTO);
    }

    static final byte[] SMALL_PHOTO = io.pinhole.media.image.TestImages.png(
            io.pinhole.media.image.TestImages.solid(400, 300, java.awt.Color.ORANGE));

    static StatusRuntimeException assertFails(Status.Code code, ThrowingCallable call, String... fields) {
        final StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, call);
        assertThat(error).as("expected %s", code).isNotNull();
        assertThat(error.getStatus().getCode()).isEqualTo(code);
        if (fields.length > 0) {
            final List<String> violated = StatusProto.fromThrowable(error).getDetailsList().stream()
                    .filter(any -> any.is(BadRequest.class)).flatMap(any -> {
                        try {
                            return any.unpack(BadRequest.class).getFieldViolationsList().stream();
                        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                            throw new AssertionError(e);
                        }
                    }).map(BadRequest.FieldViolation::getField).toList();
            assertThat(violated).containsExactlyInAnyOrder(fields);
        }
        return error;
    }
}
