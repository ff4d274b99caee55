package io.pinhole.notify;

import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.MockApnsServerListener;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackExtension;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.media.v1.Media;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.media.v1.UploadHeader;
import io.pinhole.notify.v1.NotifyServiceGrpc.NotifyServiceBlockingStub;
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
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * svc-notify with the real svc-identity and svc-media, once per test JVM, on devstack; and stand-ins for the remote
 * third parties: Pushy's MockApnsServer (HTTP/2, TLS with a test CA, token auth with a P-256 key made here), an
 * FCM v1-shaped HTTP server, a webhook receiver and a sharing provider. Bursts aggregate over 1 s; retries back off
 * from 100 ms; a webhook is disabled after 3 failures in a row.
 */
final class NotifyFixture implements BeforeAllCallback {

    static final String TOPIC = "io.pinhole.test";
    static final String TEAM = "TEAMID0001";
    static final String KEY_ID = "KEYID00001";
    static final String FCM_PROJECT = "pinhole-test";
    static final String PROVIDER = "testnet";

    private static RunningService identity;
    private static RunningService media;
    private static RunningService geo;
    private static RunningService notify;
    static MockApnsServer apns;
    /** APNs tokens the mock accepts for {@link #TOPIC}; anything else is BadDeviceToken. */
    static final Set<String> apnsTokens = ConcurrentHashMap.newKeySet();
    /** Accepted pushes: token → payload JSON. */
    static final List<Map.Entry<String, String>> apnsAccepted = new CopyOnWriteArrayList<>();
    static final List<String> apnsRejected = new CopyOnWriteArrayList<>();
    static Receiver fcm;
    static Receiver webhooks;
    static Receiver provider;
    private static final AtomicInteger names = new AtomicInteger();
    private static final String RUN = Long.toString(System.nanoTime() % 100_000, 36);
    private static final byte[] PHOTO = photo();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        final Devstack devstack = DevstackExtension.shared(context);
        final ExtensionContext.Store store = context.getRoot().getStore(ExtensionContext.Namespace.create(NotifyFixture.class));
        synchronized (NotifyFixture.class) {
            if (notify != null) {
                return;
            }
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
            geo = store.getOrComputeIfAbsent("geo", key -> {
                final Map<String, String> env = base(devstack);
                env.putAll(devstack.solr().environment());
                env.put("PINHOLE_GEO_PORT", "0");
                env.put("PINHOLE_GEO_COMMIT_WITHIN", "200ms");
                return RunningService.start(io.pinhole.geo.Main.newServer(Env.of(env)));
            }, RunningService.class);
            final Map<String, String> env = base(devstack);
            env.put("PINHOLE_GEO_ADDRESS", geo.address());
            env.putAll(startThirdParties());
            devstack.postgres().createDatabase(PinholeService.NOTIFY.databaseName());
            notify = store.getOrComputeIfAbsent("notify", key -> RunningService.start(Main.newServer(Env.of(env))),
                                                RunningService.class);
            store.put("third-parties", (AutoCloseable) () -> {
                apns.shutdown().get(10, TimeUnit.SECONDS);
                fcm.close();
                webhooks.close();
                provider.close();
            });
        }
    }

    private static Map<String, String> startThirdParties() throws Exception {
        final Path dir = Files.createTempDirectory("notify-test");
        // A CA and a server certificate for 127.0.0.1 signed by it: the APNs client trusts only the CA.
        final KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        final KeyPair caKeys = ec.generateKeyPair();
        final X500Name caName = new X500Name("CN=Pinhole Test CA");
        final Instant now = Instant.now();
        final X509Certificate ca = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                caName, BigInteger.ONE, Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), caName,
                caKeys.getPublic()).addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
        final KeyPair serverKeys = ec.generateKeyPair();
        final X509Certificate serverCertificate = new JcaX509CertificateConverter().getCertificate(
                new JcaX509v3CertificateBuilder(caName, BigInteger.TWO, Date.from(now.minusSeconds(60)),
                        Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=127.0.0.1"), serverKeys.getPublic())
                        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                                new GeneralName(GeneralName.dNSName, "localhost")}))
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
        final Path trust = dir.resolve("ca.pem");
        Files.writeString(trust, pem("CERTIFICATE", ca.getEncoded()));
        // The token key (Apple's .p8 is PKCS#8 P-256); the mock verifies the JWT with its public half.
        final KeyPair tokenKeys = ec.generateKeyPair();
        final Path p8 = dir.resolve("AuthKey.p8");
        Files.writeString(p8, pem("PRIVATE KEY", tokenKeys.getPrivate().getEncoded()));
        final ApnsVerificationKey verificationKey = new ApnsVerificationKey(KEY_ID, TEAM, (ECPublicKey) tokenKeys.getPublic());

        apns = new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[] {serverCertificate, ca}, serverKeys.getPrivate(), null)
                .setHandlerFactory(new ValidatingPushNotificationHandlerFactory(Map.of(TOPIC, apnsTokens), Map.of(),
                        Map.of(KEY_ID, verificationKey), Map.of(verificationKey, Set.of(TOPIC))))
                .setListener(new MockApnsServerListener() {
                    @Override
                    public void handlePushNotificationAccepted(Http2Headers headers, ByteBuf payload) {
                        final String path = headers.path().toString();
                        apnsAccepted.add(Map.entry(path.substring(path.lastIndexOf('/') + 1),
                                                   payload.toString(StandardCharsets.UTF_8)));
                    }

                    @Override
                    public void handlePushNotificationRejected(Http2Headers headers, ByteBuf payload,
                                                               RejectionReason reason, Instant expiration) {
                        apnsRejected.add(reason.name());
                    }
                })
                .build();
        final int apnsPort = (Integer) apns.start(0).get(30, TimeUnit.SECONDS);

        fcm = new Receiver();
        fcm.respond = request -> request.text().contains("\"token\":\"fcm-dead")
                ? new Receiver.Answer(404, "{\"error\":{\"code\":404,\"status\":\"NOT_FOUND\",\"details\":[{\"@type\":"
                        + "\"type.googleapis.com/google.firebase.fcm.v1.FcmError\",\"errorCode\":\"UNREGISTERED\"}]}}")
                : new Receiver.Answer(200, "{\"name\":\"projects/" + FCM_PROJECT + "/messages/1\"}");
        webhooks = new Receiver();
        provider = new Receiver();

        final Map<String, String> env = new HashMap<>();
        env.put("PINHOLE_APNS_SERVER", "127.0.0.1:" + apnsPort);
        env.put("PINHOLE_APNS_KEY_FILE", p8.toString());
        env.put("PINHOLE_APNS_TEAM_ID", TEAM);
        env.put("PINHOLE_APNS_KEY_ID", KEY_ID);
        env.put("PINHOLE_APNS_TOPIC", TOPIC);
        env.put("PINHOLE_APNS_TRUST_FILE", trust.toString());
        env.put("PINHOLE_FCM_ENDPOINT", fcm.url(""));
        env.put("PINHOLE_FCM_PROJECT_ID", FCM_PROJECT);
        env.put("PINHOLE_FCM_ACCESS_TOKEN", "fcm-test-access-token");
        env.put("PINHOLE_SHARING_PROVIDERS", PROVIDER + "=" + provider.url("/share"));
        env.put("PINHOLE_NOTIFY_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(new byte[32]));
        env.put("PINHOLE_NOTIFY_ALLOW_PRIVATE_CALLBACKS", "true");
        env.put("PINHOLE_NOTIFY_PUSH_WINDOW", "1s");
        env.put("PINHOLE_NOTIFY_POLL", "200ms");
        env.put("PINHOLE_NOTIFY_RETRY_BASE", "100ms");
        env.put("PINHOLE_NOTIFY_RETRY_MAX", "400ms");
        env.put("PINHOLE_NOTIFY_WEBHOOK_DISABLE_FAILURES", "3");
        env.put("PINHOLE_NOTIFY_WEBHOOK_DISABLE_AFTER", "0s");
        env.put("PINHOLE_NOTIFY_HTTP_TIMEOUT", "2s");
        env.put("PINHOLE_QUEUE_BACKOFF_BASE", "50ms");
        return env;
    }

    private static Map<String, String> base(Devstack devstack) {
        final Map<String, String> env = new HashMap<>();
        env.putAll(devstack.postgres().environment());
        env.putAll(devstack.redis().environment());
        env.putAll(devstack.memcached().environment());
        env.put("PINHOLE_IDENTITY_PORT", "0");
        env.put("PINHOLE_MEDIA_PORT", "0");
        env.put("PINHOLE_NOTIFY_PORT", "0");
        if (identity != null) {
            env.put("PINHOLE_IDENTITY_ADDRESS", identity.address());
        }
        if (media != null) {
            env.put("PINHOLE_MEDIA_ADDRESS", media.address());
        }
        return env;
    }


    static RunningService notifyService() {
        return notify;
    }

    static NotifyServiceBlockingStub notifier(long viewer) {
        return Viewer.as(notify.client(NotifyServiceBlockingStub.class), viewer);
    }

    static NotifyServiceBlockingStub anonymousNotify() {
        return notify.client(NotifyServiceBlockingStub.class);
    }

    static IdentityServiceBlockingStub identity(long viewer) {
        return Viewer.as(identity.client(IdentityServiceBlockingStub.class), viewer);
    }

    static io.pinhole.geo.v1.GeoServiceGrpc.GeoServiceBlockingStub geo(long viewer) {
        return Viewer.as(geo.client(io.pinhole.geo.v1.GeoServiceGrpc.GeoServiceBlockingStub.class), viewer);
    }

    static MediaServiceBlockingStub media(long viewer) {
        return Viewer.as(media.client(MediaServiceBlockingStub.class), viewer);
    }

    static String username(String prefix) {
        return (prefix + "_" + RUN + names.incrementAndGet()).toLowerCase();
    }

    static long newUser(String name) {
        return identity.client(IdentityServiceBlockingStub.class).signUp(SignUpRequest.newBuilder().setUsername(name)
                .setEmail(name + "@example.com").setPassword("correct horse battery").build()).getUser().getId();
    }

    static Media post(long author, UploadHeader header) {
        return MediaUploads.upload(Viewer.as(media.client(MediaServiceStub.class), author), header, PHOTO,
                                   Duration.ofSeconds(30));
    }

    /** A fresh 64-hex-digit APNs token the mock accepts. */
    static String apnsToken() {
        final byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        final String token = java.util.HexFormat.of().formatHex(bytes);
        apnsTokens.add(token);
        return token;
    }

    static List<String> apnsPayloadsFor(String token) {
        return apnsAccepted.stream().filter(e -> e.getKey().equals(token)).map(Map.Entry::getValue).toList();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static byte[] photo() {
        final BufferedImage image = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
        final var graphics = image.createGraphics();
        graphics.setColor(Color.ORANGE);
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
