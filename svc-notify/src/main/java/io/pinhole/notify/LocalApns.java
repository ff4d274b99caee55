package io.pinhole.notify;

import com.eatthepath.pushy.apns.server.AcceptAllPushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.MockApnsServerListener;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code PINHOLE_APNS_SERVER=local}: Pushy's MockApnsServer inside the process, accepting every push, so that a
 * local run (and {@code ./pinhole bench notify}) pushes over real HTTP/2, TLS and token auth without Apple. Its
 * server certificate is made by the JDK's keytool (self-signed, for localhost) and the token key by the JDK; both
 * are throwaway files in a temporary folder. Development only.
 */
final class LocalApns implements AutoCloseable {

    private final MockApnsServer server;
    private final NotifySettings.Apns client;
    private final AtomicLong accepted = new AtomicLong();

    private LocalApns(MockApnsServer server, NotifySettings.Apns client) {
        this.server = server;
        this.client = client;
    }

    static LocalApns start(NotifySettings.Apns config) throws Exception {
        final Path dir = Files.createTempDirectory("pinhole-local-apns");
        dir.toFile().deleteOnExit();
        final Path keystore = dir.resolve("server.p12");
        final String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        final Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", "apns", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-validity", "30", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "pinhole",
                "-keypass", "pinhole").redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        final KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "pinhole".toCharArray());
        }
        final X509Certificate certificate = (X509Certificate) store.getCertificate("apns");
        final PrivateKey serverKey = (PrivateKey) store.getKey("apns", "pinhole".toCharArray());
        final Path trust = dir.resolve("server.pem");
        Files.writeString(trust, pem("CERTIFICATE", certificate.getEncoded()));

        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        final Path signingKey = dir.resolve("token-key.p8");
        Files.writeString(signingKey, pem("PRIVATE KEY", generator.generateKeyPair().getPrivate().getEncoded()));
        for (Path file : List.of(keystore, trust, signingKey)) {
            file.toFile().deleteOnExit();
        }

        final LocalApns[] self = new LocalApns[1];
        final MockApnsServer server = new MockApnsServerBuilder()
                .setServerCredentials(new X509Certificate[] {certificate}, serverKey, null)
                .setHandlerFactory(new AcceptAllPushNotificationHandlerFactory())
                .setListener(new MockApnsServerListener() {
                    @Override
                    public void handlePushNotificationAccepted(Http2Headers headers, ByteBuf payload) {
                        self[0].accepted.incrementAndGet();
                    }

                    @Override
                    public void handlePushNotificationRejected(Http2Headers headers, ByteBuf payload,
                            com.eatthepath.pushy.apns.server.RejectionReason reason, Instant expiration) {}
                })
                .build();
        final int port = (Integer) server.start(0).get(30, TimeUnit.SECONDS);
        self[0] = new LocalApns(server, new NotifySettings.Apns("127.0.0.1:" + port, signingKey.toString(),
                "LOCALTEAM1", "LOCALKEY01", config.topic(), trust.toString(), config.connections()));
        return self[0];
    }

    /** Client settings that reach this server. */
    NotifySettings.Apns clientSettings() {
        return client;
    }

    /** Pushes accepted so far. */
    long accepted() {
        return accepted.get();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    @Override
    public void close() {
        server.shutdown().join();
    }
}
