package io.pinhole.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FCM with a service account's key, as in production: Google's auth library signs a JWT with the key, trades it at
 * the key file's token endpoint for an access token, and the push carries that token; a 401 refreshes it. Both
 * Google endpoints are local HTTP servers ({@link Receiver}) — the protocol is real, the remote party is not ours.
 */
class FcmCredentialsTest {

    @Test
    void pushesCarryATokenFromTheServiceAccountsTokenEndpoint(@TempDir Path directory) throws Exception {
        try (Receiver oauth = new Receiver(); Receiver fcm = new Receiver()) {
            final AtomicInteger issued = new AtomicInteger();
            oauth.respond = request -> new Receiver.Answer(200,
                    "{\"access_token\":\"ya29.token-" + issued.incrementAndGet() + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}");
            fcm.respond = request -> request.header("Authorization").equals("Bearer ya29.token-1")
                    ? new Receiver.Answer(401, "{\"error\":{\"status\":\"UNAUTHENTICATED\"}}") // revoked: the second one works
                    : new Receiver.Answer(200, "{\"name\":\"projects/p/messages/1\"}");
            final Path key = serviceAccountKey(directory, oauth.url("/token"));
            final FcmSender sender = new FcmSender(new NotifySettings.Fcm(URI.create(fcm.url("")), "p", "", key.toString()),
                                                   Duration.ofSeconds(5));
            final PushMessage message = new PushMessage("device-token", "", "ana liked your photo", "LIKE", List.of("ana"),
                                                        1, "pinhole://media/1", "media-1");

            final Exception refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                                                                                      () -> sender.send(message));
            assertThat(refused).hasMessageContaining("401");
            assertThat(sender.send(message)).isEqualTo(PushSender.Outcome.SENT);

            // the token endpoint got two signed-JWT grants for the FCM scope, from this service account
            assertThat(oauth.posts("/token")).hasSize(2);
            final String grant = URLDecoder.decode(oauth.posts("/token").get(0).text(), StandardCharsets.UTF_8);
            assertThat(grant).contains("grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer");
            final String[] jwt = grant.substring(grant.indexOf("assertion=") + "assertion=".length()).split("&")[0].split("\\.");
            final String claims = new String(Base64.getUrlDecoder().decode(jwt[1]), StandardCharsets.UTF_8);
            assertThat(claims).contains(FcmSender.SCOPE).contains("pusher@pinhole-test.iam.gserviceaccount.com");
            assertThat(fcm.posts("/v1/projects/p/messages:send")).extracting(request -> request.header("Authorization"))
                    .containsExactly("Bearer ya29.token-1", "Bearer ya29.token-2");
        }
    }

    /** A service account key file like the one Google's console downloads, with a fresh RSA key. */
    private static Path serviceAccountKey(Path directory, String tokenUri) throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        final String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(generator.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        final ObjectNode key = Jobs.JSON.createObjectNode();
        key.put("type", "service_account");
        key.put("project_id", "pinhole-test");
        key.put("private_key_id", "k1");
        key.put("private_key", pem);
        key.put("client_email", "pusher@pinhole-test.iam.gserviceaccount.com");
        key.put("client_id", "1");
        key.put("token_uri", tokenUri);
        final Path file = directory.resolve("service-account.json");
        Files.writeString(file, Jobs.JSON.writeValueAsString(key));
        return file;
    }
}
