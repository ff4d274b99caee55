package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.pinhole.notify.v1.CreateSubscriptionRequest;
import io.pinhole.notify.v1.NotifyServiceGrpc.NotifyServiceBlockingStub;
import io.pinhole.notify.v1.SubscriptionObject;
import io.pinhole.platform.server.Viewer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The secrets a client hands over never reach a log line: passwords (right and wrong), session tokens, device push
 * tokens, a webhook's verify token and signing secret. The gateway and all five services run in this JVM, so one
 * appender on the root logger sees every line any of them writes (Pinhole's own loggers at TRACE, libraries at their
 * configured levels), messages, MDC and stack traces included.
 */
class SecretsInLogsTest extends RealIdentityTest {

    @Test
    void signUp_logIn_registerDevice_subscribe_logOut_neverLogTheirSecrets() throws Exception {
        final String run = Long.toString(System.nanoTime(), 36);
        final String password = "pw-secret-" + run + "-horse";
        final String wrongPassword = "pw-wrong-" + run + "-battery";
        final String deviceToken = "devicetokensecret" + run;
        final String verifyToken = "verifytokensecret" + run;
        final String username = RealIdentity.uniqueName("quiet");
        final List<String> secrets = new ArrayList<>(List.of(password, wrongPassword, deviceToken, verifyToken));

        final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        final ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        // Pinhole's own code at TRACE: a secret in a debug line reaches production the day someone turns DEBUG on
        // to chase a bug. (Libraries stay at their levels: Spring logs request bodies at DEBUG by design.)
        final Logger pinhole = (Logger) LoggerFactory.getLogger("io.pinhole");
        final ch.qos.logback.classic.Level level = pinhole.getLevel();
        pinhole.setLevel(ch.qos.logback.classic.Level.TRACE);
        try {
            LoggerFactory.getLogger(SecretsInLogsTest.class).trace("canary {}", run);
            // Its own client address: the sign-up limit per address is small in these tests (RealIdentity).
            final GatewayClient client = new GatewayClient(port, InetAddress.getByName("127.0.0.77"));
            final JsonNode signedUp = client.graphql(IdentityEndToEndTest.SIGN_UP, Map.of("input", Map.of(
                    "username", username, "password", password, "email", username + "@example.com")), null);
            final String firstToken = signedUp.path("data").path("signUp").path("token").asText();
            assertThat(firstToken).as(signedUp.toString()).isNotEmpty();
            final long userId = signedUp.path("data").path("signUp").path("user").path("id").asLong();

            final JsonNode refused = client.graphql(IdentityEndToEndTest.LOG_IN,
                    Map.of("username", username, "password", wrongPassword), null);
            assertThat(refused.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("UNAUTHENTICATED");
            final String token = client.graphql(IdentityEndToEndTest.LOG_IN,
                    Map.of("username", username, "password", password), null).path("data").path("logIn").path("token")
                    .asText();
            assertThat(token).isNotEmpty();
            secrets.add(firstToken);
            secrets.add(token);

            final JsonNode registered = client.graphql(GeoAndDevicesEndToEndTest.REGISTER, Map.of("input",
                    Map.of("platform", "FCM", "token", deviceToken)), "Bearer " + token);
            assertThat(registered.path("data").path("registerDevice").asBoolean()).as(registered.toString()).isTrue();

            // Webhook subscriptions are gRPC only (no GraphQL field): straight to svc-notify, as its API clients do.
            // The callback is refused here (a loopback address), which is a path that logs too; a created one
            // would also hand back its signing secret, which joins the list.
            final NotifyServiceBlockingStub notify = Viewer.as(
                    RealStack.notifyService().client(NotifyServiceBlockingStub.class), userId);
            try {
                final var created = notify.createSubscription(CreateSubscriptionRequest.newBuilder()
                        .setObject(SubscriptionObject.SUBSCRIPTION_OBJECT_TAG).setObjectId("quiet" + run)
                        .setCallbackUrl("http://127.0.0.1:9/hook").setVerifyToken(verifyToken).build());
                secrets.add(created.getSigningSecret());
            } catch (io.grpc.StatusRuntimeException expected) {
                assertThat(expected.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
            }

            final JsonNode loggedOut = client.graphql("mutation { logOut }", "Bearer " + token);
            assertThat(loggedOut.path("data").path("logOut").asBoolean()).isTrue();
            // A revoked token presented again: the refusal path must not echo it either.
            client.graphql("{ viewer { id } }", "Bearer " + token);
        } finally {
            pinhole.setLevel(level);
            root.detachAppender(captured);
        }

        System.out.printf("SecretsInLogsTest: %d log lines searched for %d secrets%n", captured.list.size(), secrets.size());
        // The happy path may log nothing at all; the canary proves the appender saw Pinhole's TRACE lines.
        assertThat(captured.list).extracting(ILoggingEvent::getFormattedMessage).contains("canary " + run);
        for (ILoggingEvent event : captured.list) {
            final String line = event.getLoggerName() + " " + event.getFormattedMessage() + " "
                                + event.getMDCPropertyMap() + " "
                                + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
            for (String secret : secrets) {
                assertThat(line).as("a log line of %s", event.getLoggerName()).doesNotContain(secret);
            }
        }
    }
}
