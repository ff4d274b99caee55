package io.pinhole.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.geo.v1.GeoServiceGrpc.GeoServiceBlockingStub;
import io.pinhole.identity.v1.BlockRequest;
import io.pinhole.identity.v1.FollowRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.identity.v1.UpdateProfileRequest;
import io.pinhole.media.v1.DeleteMediaRequest;
import io.pinhole.media.v1.Location;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.media.v1.UploadMediaRequest;
import io.pinhole.media.v1.UploadMediaResponse;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.server.Viewer;
import io.pinhole.platform.testing.RunningService;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.apache.solr.client.solrj.SolrClient;
import org.apache.solr.client.solrj.impl.Http2SolrClient;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real thing once per test JVM: devstack (PostgreSQL ×2, Redis, memcached, S3, Solr), svc-identity, svc-media
 * and svc-geo, wired as {@code ./pinhole up} wires them (media's events reach geo through the outbox and Redis
 * Streams). Register with {@code @ExtendWith({DevstackExtension.class, GeoFixture.class})}; the services stop at the
 * end of the run, before devstack.
 */
final class GeoFixture implements BeforeAllCallback {

    private static RunningService identity;
    private static RunningService media;
    private static RunningService geo;
    private static Map<String, String> geoEnvironment;
    private static SolrClient solr;
    private static final AtomicInteger names = new AtomicInteger();
    private static final AtomicInteger areas = new AtomicInteger();
    private static final String RUN = Long.toString(System.nanoTime() % 100_000, 36);

    GeoFixture() {}

    @Override
    public void beforeAll(ExtensionContext context) {
        final Devstack devstack = DevstackExtension.shared(context);
        final ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(GeoFixture.class));
        synchronized (GeoFixture.class) {
            identity = store.getOrComputeIfAbsent("identity", key -> {
                devstack.postgres().createDatabase(PinholeService.IDENTITY.databaseName());
                final Map<String, String> env = base(devstack);
                env.put("PINHOLE_IDENTITY_PORT", "0");
                env.put("PINHOLE_MEDIA_ADDRESS", "127.0.0.1:1");
                env.put("PINHOLE_ARGON2_MEMORY_KIB", "1024");
                env.put("PINHOLE_ARGON2_ITERATIONS", "1");
                env.put("PINHOLE_SIGNUPS_PER_ADDRESS", "1000000");
                return RunningService.start(io.pinhole.identity.Main.newServer(Env.of(env)));
            }, RunningService.class);
            media = store.getOrComputeIfAbsent("media", key -> {
                devstack.postgres().createDatabase(PinholeService.MEDIA.databaseName());
                final Map<String, String> env = base(devstack);
                env.putAll(devstack.s3().environment(Devstack.DEFAULT_BUCKET));
                env.put("PINHOLE_MEDIA_PORT", "0");
                env.put("PINHOLE_IDENTITY_ADDRESS", identity.address());
                return RunningService.start(io.pinhole.media.Main.newServer(Env.of(env)));
            }, RunningService.class);
            geo = store.getOrComputeIfAbsent("geo", key -> {
                final Map<String, String> env = base(devstack);
                env.putAll(devstack.solr().environment());
                env.put("PINHOLE_GEO_PORT", "0");
                env.put("PINHOLE_IDENTITY_ADDRESS", identity.address());
                env.put("PINHOLE_QUEUE_BACKOFF_MAX", "1s");
                geoEnvironment = Map.copyOf(env);
                return RunningService.start(Main.newServer(Env.of(env)));
            }, RunningService.class);
            if (solr == null) {
                solr = new Http2SolrClient.Builder(devstack.solr().baseUrl()).build();
                store.put("solr", (ExtensionContext.Store.CloseableResource) solr::close);
            }
        }
    }

    private static Map<String, String> base(Devstack devstack) {
        final Map<String, String> env = new HashMap<>();
        env.putAll(devstack.postgres().environment());
        env.putAll(devstack.redis().environment());
        env.putAll(devstack.memcached().environment());
        return env;
    }

    /** The environment svc-geo runs with (PostgreSQL, Redis, Solr, identity's address). */
    static Map<String, String> geoEnvironment() {
        return geoEnvironment;
    }

    static String identityAddress() {
        return identity.address();
    }

    /** A SolrJ client on devstack's Solr, for looking at documents directly. */
    static SolrClient solr() {
        return solr;
    }

    static io.grpc.health.v1.HealthCheckResponse.ServingStatus health() {
        return geo.health();
    }

    static GeoServiceBlockingStub anonymous() {
        return geo.client(GeoServiceBlockingStub.class);
    }

    static GeoServiceBlockingStub as(long viewer) {
        return Viewer.as(anonymous(), viewer);
    }

    static IdentityServiceBlockingStub identity(long viewer) {
        return Viewer.as(identity.client(IdentityServiceBlockingStub.class), viewer);
    }

    static MediaServiceBlockingStub media(long viewer) {
        return Viewer.as(media.client(MediaServiceBlockingStub.class), viewer);
    }

    /**
     * A fresh point of the planet for one test, about 300 km from every other test's, so tests never see each
     * other's media within the 50 km radius limit.
     */
    static double[] newArea() {
        final int n = areas.incrementAndGet(); // Solr is fresh in every test JVM
        return new double[] {-60 + (n / 40) * 3.0, -170 + (n % 40) * 3.0 + 0.5};
    }

    /** The point {@code northKm} north and {@code eastKm} east of {@code origin}. */
    static double[] offset(double[] origin, double northKm, double eastKm) {
        final double lat = origin[0] + northKm / 111.19508;
        final double lng = origin[1] + eastKm / (111.19508 * Math.cos(Math.toRadians(origin[0])));
        return new double[] {lat, lng};
    }

    static long newUser(String prefix) {
        final String name = (prefix + "_" + RUN + names.incrementAndGet()).toLowerCase();
        return identity.client(IdentityServiceBlockingStub.class).signUp(SignUpRequest.newBuilder().setUsername(name)
                .setEmail(name + "@example.com").setPassword("correct horse battery").build()).getUser().getId();
    }

    static void setPrivate(long user, boolean isPrivate) {
        identity(user).updateProfile(UpdateProfileRequest.newBuilder().setIsPrivate(isPrivate).build());
    }

    static void follow(long follower, long followee) {
        identity(follower).follow(FollowRequest.newBuilder().setUserId(followee).build());
    }

    static void block(long blocker, long blocked) {
        identity(blocker).block(BlockRequest.newBuilder().setUserId(blocked).build());
    }

    static void delete(long owner, long mediaId) {
        media(owner).deleteMedia(DeleteMediaRequest.newBuilder().setMediaId(mediaId).build());
    }

    /** Posts a photo through svc-media with a location ({@code name} may be empty); its ID. */
    static long post(long owner, String name, double[] point) {
        return upload(owner, UploadHeader.newBuilder().setCaption("geo test")
                .setLocation(Location.newBuilder().setName(name).setLat(point[0]).setLng(point[1])).build()).getId();
    }

    private static Media upload(long viewer, UploadHeader header) {
        final CompletableFuture<Media> result = new CompletableFuture<>();
        final StreamObserver<UploadMediaRequest> requests = Viewer.as(media.client(MediaServiceStub.class), viewer)
                .uploadMedia(new StreamObserver<>() {
                    @Override
                    public void onNext(UploadMediaResponse response) {
                        result.complete(response.getMedia());
                    }

                    @Override
                    public void onError(Throwable error) {
                        result.completeExceptionally(error);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(UploadMediaRequest.newBuilder().setHeader(header).build());
        requests.onNext(UploadMediaRequest.newBuilder().setChunk(ByteString.copyFrom(PHOTO)).build());
        requests.onCompleted();
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static final byte[] PHOTO = photo();

    private static byte[] photo() {
        final BufferedImage image = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
        final var graphics = image.createGraphics();
        graphics.setColor(Color.ORANGE);
        graphics.fillRect(0, 0, 400, 300);
        graphics.dispose();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The call's error, asserting its code and (when given) exactly these violated fields. */
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
