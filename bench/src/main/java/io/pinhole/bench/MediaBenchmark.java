package io.pinhole.bench;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.server.Server;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackConfig;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.media.image.ImageIntake;
import io.pinhole.media.image.ImageLimits;
import io.pinhole.media.v1.GetMediaRequest;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.platform.client.MediaUploads;
import io.pinhole.platform.config.Env;
import java.time.Duration;
import io.pinhole.platform.id.PinholeIds;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.server.Viewer;
import io.pinhole.platform.shard.ShardMap;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/**
 * svc-media against a real stack (PostgreSQL ×2, Redis, memcached, S3, svc-identity): photo upload throughput beside
 * the bare intake (decode + resize + encode of the same photos, no network, no storage) in the same run, and
 * GetMedia of 20 IDs warm (cached) and cold (every call asks for 20 media never read before).
 */
final class MediaBenchmark {

    private MediaBenchmark() {}

    static void run(int clients, int seconds) throws Exception {
        try (Devstack devstack = Devstack.create(DevstackConfig.forTests())) {
            devstack.postgres().createDatabase("pinhole_identity");
            devstack.postgres().createDatabase("pinhole_media");
            final Map<String, String> env = new HashMap<>(devstack.postgres().environment());
            env.putAll(devstack.redis().environment());
            env.putAll(devstack.memcached().environment());
            env.put("PINHOLE_IDENTITY_PORT", "0");
            env.put("PINHOLE_ARGON2_MEMORY_KIB", "1024");
            env.put("PINHOLE_ARGON2_ITERATIONS", "1");
            final Server identityServer = PinholeServer.start(io.pinhole.identity.Main.newServer(Env.of(env)));
            final Map<String, String> mediaEnv = new HashMap<>(env);
            mediaEnv.putAll(devstack.s3().environment(Devstack.DEFAULT_BUCKET));
            mediaEnv.put("PINHOLE_MEDIA_PORT", "0");
            mediaEnv.put("PINHOLE_IDENTITY_ADDRESS", "127.0.0.1:" + identityServer.activeLocalPort());
            final Server mediaServer = PinholeServer.start(io.pinhole.media.Main.newServer(Env.of(mediaEnv)));
            try {
                final String mediaUrl = "http://127.0.0.1:" + mediaServer.activeLocalPort();
                final IdentityServiceBlockingStub identity = GrpcClients.newClient(
                        "http://127.0.0.1:" + identityServer.activeLocalPort(), IdentityServiceBlockingStub.class);
                final List<Long> owners = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    owners.add(identity.signUp(SignUpRequest.newBuilder().setUsername("bench_owner_" + i)
                            .setEmail("owner" + i + "@example.com").setPassword("benchmark password").build()).getUser().getId());
                }
                final List<byte[]> photos = photos(8);
                System.out.printf("photos: 8 JPEGs of 1600×1200, %d KB on average%n",
                                  photos.stream().mapToInt(photo -> photo.length).sum() / 8 / 1024);

                final ImageIntake intake = ImageIntake.of(ImageLimits.defaults());
                final IdentityBenchmark.Result bare = IdentityBenchmark.measure(clients, seconds,
                        i -> intake.process(photos.get((int) (i % photos.size()))));
                final MediaServiceStub uploads = GrpcClients.newClient(mediaUrl, MediaServiceStub.class);
                final IdentityBenchmark.Result upload = IdentityBenchmark.measure(clients, seconds,
                        i -> upload(Viewer.as(uploads, owners.get((int) (i % owners.size()))), photos.get((int) (i % photos.size()))));

                System.out.println("seeding 200,000 media rows for cold reads…");
                final List<Long> seeded = seed(devstack, owners, 25_000);
                final MediaServiceBlockingStub media = GrpcClients.newClient(mediaUrl, MediaServiceBlockingStub.class);
                final List<Long> warmIds = seeded.subList(0, 20);
                media.getMedia(GetMediaRequest.newBuilder().addAllMediaIds(warmIds).build());
                final IdentityBenchmark.Result warm = IdentityBenchmark.measure(clients, seconds,
                        i -> check(media.getMedia(GetMediaRequest.newBuilder().addAllMediaIds(warmIds).build()).getMediaCount()));
                final AtomicLong next = new AtomicLong(20);
                final IdentityBenchmark.Result cold = IdentityBenchmark.measure(clients, seconds, i -> {
                    final int from = (int) (next.getAndAdd(20) % (seeded.size() - 20));
                    check(media.getMedia(GetMediaRequest.newBuilder().addAllMediaIds(seeded.subList(from, from + 20)).build()).getMediaCount());
                });

                final String report = String.format(Locale.ROOT, """
                        {"clients": %d, "seconds": %d,
                         "upload_1600x1200_jpeg": %s, "bare_intake_same_photos": %s, "upload_ratio_to_bare": %.3f,
                         "get_media_20_warm": %s, "get_media_20_cold": %s}
                        """, clients, seconds, upload.json(), bare.json(), upload.perSecond() / bare.perSecond(),
                        warm.json(), cold.json());
                System.out.println(report);
                Files.createDirectories(Path.of("bench/reports"));
                Files.writeString(Path.of("bench/reports/media.json"), report);
            } finally {
                mediaServer.stop().join();
                identityServer.stop().join();
            }
        }
    }

    private static void check(int count) {
        if (count != 20) {
            throw new IllegalStateException("GetMedia answered " + count + " of 20");
        }
    }

    private static void upload(MediaServiceStub stub, byte[] photo) {
        MediaUploads.upload(stub, UploadHeader.newBuilder().setCaption("bench #pinhole").build(), photo, Duration.ofSeconds(60));
    }

    /** Photo-like JPEGs: gradients and noise, so the encoder works as on a real photo. */
    private static List<byte[]> photos(int count) throws Exception {
        final Random random = new Random(42);
        final List<byte[]> photos = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            final BufferedImage image = new BufferedImage(1600, 1200, BufferedImage.TYPE_INT_RGB);
            final Graphics2D graphics = image.createGraphics();
            graphics.setPaint(new GradientPaint(0, 0, new Color(random.nextInt(0xffffff)), 1600, 1200, new Color(random.nextInt(0xffffff))));
            graphics.fillRect(0, 0, 1600, 1200);
            graphics.dispose();
            for (int y = 0; y < 1200; y++) {
                for (int x = 0; x < 1600; x++) {
                    final int noise = random.nextInt(24) - 12;
                    final int rgb = image.getRGB(x, y);
                    final int r = Math.clamp(((rgb >> 16) & 0xff) + noise, 0, 255);
                    final int g = Math.clamp(((rgb >> 8) & 0xff) + noise, 0, 255);
                    final int b = Math.clamp((rgb & 0xff) + noise, 0, 255);
                    image.setRGB(x, y, (r << 16) | (g << 8) | b);
                }
            }
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(image, "jpeg", bytes);
            photos.add(bytes.toByteArray());
        }
        return photos;
    }

    /** {@code perOwner} media rows per owner, straight into their shards (reads need rows, not image work). */
    private static List<Long> seed(Devstack devstack, List<Long> owners, int perOwner) throws Exception {
        final List<Long> ids = new ArrayList<>();
        for (long owner : owners) {
            final int shard = PinholeIds.shard(owner);
            try (Connection connection = devstack.postgres().server(shard / 8).connect("pinhole_media");
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("INSERT INTO " + ShardMap.schemaOf(shard) + ".media (owner_id, caption,"
                         + " low_width, low_height, standard_width, standard_height) SELECT " + owner + ", 'seeded ' || n,"
                         + " 320, 240, 1080, 810 FROM generate_series(1, " + perOwner + ") AS n RETURNING id")) {
                while (rows.next()) {
                    ids.add(rows.getLong(1));
                }
            }
        }
        java.util.Collections.shuffle(ids, new Random(7));
        return ids;
    }
}
