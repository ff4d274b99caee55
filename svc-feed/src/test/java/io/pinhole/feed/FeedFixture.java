package io.pinhole.feed;

import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.feed.v1.FeedServiceGrpc.FeedServiceBlockingStub;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.platform.client.MediaUploads;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.server.Viewer;
import io.pinhole.platform.testing.RunningService;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * svc-feed with the real svc-identity and svc-media it calls, once per test JVM, on devstack. Accounts with 3
 * followers are "huge" here (not fanned out), and the popular ranking is recomputed every 200 ms.
 */
final class FeedFixture implements BeforeAllCallback {

    static final int HUGE = 3;
    private static RunningService identity;
    private static RunningService media;
    private static RunningService feed;
    private static final AtomicInteger names = new AtomicInteger();
    private static final String RUN = Long.toString(System.nanoTime() % 100_000, 36);
    private static final byte[] PHOTO = photo();

    FeedFixture() {}

    @Override
    public void beforeAll(ExtensionContext context) {
        final Devstack devstack = DevstackExtension.shared(context);
        final ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(FeedFixture.class));
        synchronized (FeedFixture.class) {
            identity = store.getOrComputeIfAbsent("identity", key -> {
                devstack.postgres().createDatabase(PinholeService.IDENTITY.databaseName());
                final Map<String, String> env = base(devstack);
                env.put("PINHOLE_ARGON2_MEMORY_KIB", "1024");
                env.put("PINHOLE_ARGON2_ITERATIONS", "1");
                return RunningService.start(io.pinhole.identity.Main.newServer(Env.of(env)));
            }, RunningService.class);
            media = store.getOrComputeIfAbsent("media", key -> {
                devstack.postgres().createDatabase(PinholeService.MEDIA.databaseName());
                final Map<String, String> env = base(devstack);
                env.putAll(devstack.s3().environment(Devstack.DEFAULT_BUCKET));
                return RunningService.start(io.pinhole.media.Main.newServer(Env.of(env)));
            }, RunningService.class);
            feed = store.getOrComputeIfAbsent("feed", key -> {
                final Map<String, String> env = base(devstack);
                env.put("PINHOLE_FEED_HUGE_FOLLOWERS", Integer.toString(HUGE));
                env.put("PINHOLE_FEED_POPULAR_EVERY", "200ms");
                return RunningService.start(Main.newServer(Env.of(env)));
            }, RunningService.class);
        }
    }

    private static Map<String, String> base(Devstack devstack) {
        final Map<String, String> env = new HashMap<>();
        env.putAll(devstack.postgres().environment());
        env.putAll(devstack.redis().environment());
        env.putAll(devstack.memcached().environment());
        env.put("PINHOLE_IDENTITY_PORT", "0");
        env.put("PINHOLE_MEDIA_PORT", "0");
        env.put("PINHOLE_FEED_PORT", "0");
        if (identity != null) {
            env.put("PINHOLE_IDENTITY_ADDRESS", identity.address());
        }
        if (media != null) {
            env.put("PINHOLE_MEDIA_ADDRESS", media.address());
        }
        return env;
    }


    static RunningService feedService() {
        return feed;
    }

    static FeedServiceBlockingStub feed(long viewer) {
        return Viewer.as(feed.client(FeedServiceBlockingStub.class), viewer);
    }

    static FeedServiceBlockingStub anonymousFeed() {
        return feed.client(FeedServiceBlockingStub.class);
    }

    static IdentityServiceBlockingStub identity(long viewer) {
        return Viewer.as(identity.client(IdentityServiceBlockingStub.class), viewer);
    }

    static MediaServiceBlockingStub media(long viewer) {
        return Viewer.as(media.client(MediaServiceBlockingStub.class), viewer);
    }

    static long newUser(String prefix) {
        final String name = (prefix + "_" + RUN + names.incrementAndGet()).toLowerCase();
        return identity.client(IdentityServiceBlockingStub.class).signUp(SignUpRequest.newBuilder().setUsername(name)
                .setEmail(name + "@example.com").setPassword("correct horse battery").build()).getUser().getId();
    }

    static String usernameOf(long userId) {
        return identity.client(IdentityServiceBlockingStub.class).getUsers(io.pinhole.identity.v1.GetUsersRequest
                .newBuilder().addUserIds(userId).build()).getUsersOrThrow(userId).getUsername();
    }

    static Media post(long author, String caption) {
        return MediaUploads.upload(Viewer.as(media.client(MediaServiceStub.class), author),
                UploadHeader.newBuilder().setCaption(caption).build(), PHOTO, Duration.ofSeconds(30));
    }

    private static byte[] photo() {
        final BufferedImage image = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
        final var graphics = image.createGraphics();
        graphics.setColor(Color.CYAN);
        graphics.fillRect(0, 0, 320, 240);
        graphics.dispose();
        try {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(image, "png", bytes);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
