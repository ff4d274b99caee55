package io.pinhole.gateway;

import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.feed.v1.FeedServiceGrpc.FeedServiceBlockingStub;
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
import javax.imageio.ImageIO;

/**
 * The real svc-media (on devstack's S3), svc-feed, svc-geo (on devstack's Solr) and svc-notify beside
 * {@link RealIdentity}, started once per test JVM on free ports. The popular ranking is recomputed every 200 ms so
 * that tests see a like rank a photo quickly.
 */
final class RealStack {

    private static RunningService media;
    private static RunningService feed;
    private static RunningService geo;
    private static RunningService notify;
    private static LocalFcm fcm;

    private RealStack() {}

    static synchronized RunningService media() {
        if (media == null) {
            final Devstack devstack = DevstackExtension.shared();
            devstack.postgres().createDatabase(PinholeService.MEDIA.databaseName());
            final Map<String, String> env = base(devstack);
            env.putAll(devstack.s3().environment(Devstack.DEFAULT_BUCKET));
            media = RunningService.start(io.pinhole.media.Main.newServer(Env.of(env)));
            Runtime.getRuntime().addShutdownHook(new Thread(media::close));
        }
        return media;
    }

    static synchronized RunningService feed() {
        if (feed == null) {
            final Devstack devstack = DevstackExtension.shared();
            final Map<String, String> env = base(devstack);
            env.put("PINHOLE_MEDIA_ADDRESS", media().address());
            env.put("PINHOLE_FEED_POPULAR_EVERY", "200ms");
            feed = RunningService.start(io.pinhole.feed.Main.newServer(Env.of(env)));
            Runtime.getRuntime().addShutdownHook(new Thread(feed::close));
        }
        return feed;
    }

    /** svc-geo on devstack's Solr: changes searchable within 200 ms. */
    static synchronized RunningService geo() {
        if (geo == null) {
            final Devstack devstack = DevstackExtension.shared();
            final Map<String, String> env = base(devstack);
            env.putAll(devstack.solr().environment());
            env.put("PINHOLE_GEO_PORT", "0");
            env.put("PINHOLE_GEO_COMMIT_WITHIN", "200ms");
            geo = RunningService.start(io.pinhole.geo.Main.newServer(Env.of(env)));
            Runtime.getRuntime().addShutdownHook(new Thread(geo::close));
        }
        return geo;
    }

    /**
     * svc-notify pushing to FCM devices through {@link #fcm()} (APNs is not configured); likes and follows
     * aggregate over 1 s instead of 30 s.
     */
    static synchronized RunningService notifyService() {
        if (notify == null) {
            final Devstack devstack = DevstackExtension.shared();
            devstack.postgres().createDatabase(PinholeService.NOTIFY.databaseName());
            final Map<String, String> env = base(devstack);
            env.put("PINHOLE_NOTIFY_PORT", "0");
            env.put("PINHOLE_MEDIA_ADDRESS", media().address());
            env.put("PINHOLE_GEO_ADDRESS", geo().address());
            env.put("PINHOLE_FCM_ENDPOINT", fcm().endpoint());
            env.put("PINHOLE_FCM_PROJECT_ID", LocalFcm.PROJECT);
            env.put("PINHOLE_FCM_ACCESS_TOKEN", LocalFcm.ACCESS_TOKEN);
            env.put("PINHOLE_NOTIFY_PUSH_WINDOW", "1s");
            notify = RunningService.start(io.pinhole.notify.Main.newServer(Env.of(env)));
            Runtime.getRuntime().addShutdownHook(new Thread(notify::close));
        }
        return notify;
    }

    /** The FCM stand-in svc-notify pushes to. */
    static synchronized LocalFcm fcm() {
        if (fcm == null) {
            fcm = LocalFcm.start();
            Runtime.getRuntime().addShutdownHook(new Thread(fcm::close));
        }
        return fcm;
    }

    static String geoAddress() {
        return geo().address();
    }

    static String notifyAddress() {
        return notifyService().address();
    }

    private static Map<String, String> base(Devstack devstack) {
        final Map<String, String> env = new HashMap<>();
        env.putAll(devstack.postgres().environment());
        env.putAll(devstack.redis().environment());
        env.putAll(devstack.memcached().environment());
        env.put("PINHOLE_MEDIA_PORT", "0");
        env.put("PINHOLE_FEED_PORT", "0");
        env.put("PINHOLE_IDENTITY_ADDRESS", RealIdentity.address());
        return env;
    }

    static String mediaAddress() {
        return media().address();
    }

    static String feedAddress() {
        return feed().address();
    }


    /** svc-media called directly as {@code userId} (set-up and checks beside the gateway). */
    static MediaServiceBlockingStub mediaAs(long userId) {
        return Viewer.as(media().client(MediaServiceBlockingStub.class), userId);
    }

    static FeedServiceBlockingStub feedAs(long userId) {
        return Viewer.as(feed().client(FeedServiceBlockingStub.class), userId);
    }

    /** Posts a photo as {@code userId} straight to svc-media. */
    static Media post(long userId, String caption) {
        return post(userId, UploadHeader.newBuilder().setCaption(caption).build());
    }

    /** Posts a photo taken at {@code location} as {@code userId} straight to svc-media. */
    static Media postAt(long userId, String caption, io.pinhole.media.v1.Location location) {
        return post(userId, UploadHeader.newBuilder().setCaption(caption).setLocation(location).build());
    }

    private static Media post(long userId, UploadHeader header) {
        return MediaUploads.upload(Viewer.as(media().client(MediaServiceStub.class), userId), header,
                                   photo(320, 240, Color.CYAN), Duration.ofSeconds(30));
    }

    /** A PNG of {@code width}×{@code height} in one colour, made with ImageIO. */
    static byte[] photo(int width, int height, Color colour) {
        final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        final var graphics = image.createGraphics();
        graphics.setColor(colour);
        graphics.fillRect(0, 0, width, height);
        graphics.setColor(Color.BLACK);
        graphics.drawLine(0, 0, width - 1, height - 1);
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
