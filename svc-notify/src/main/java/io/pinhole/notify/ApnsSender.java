package io.pinhole.notify;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.eatthepath.pushy.apns.util.SimpleApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * APNs through Pushy: HTTP/2 with token authentication (a P-256 signing key from Apple, its key ID and team ID;
 * Pushy signs and refreshes the JWT). One client for the process: it multiplexes pushes over a few connections.
 */
final class ApnsSender implements PushSender {

    /** Rejections meaning the token is dead (APNs 400/410 reasons). */
    private static final Set<String> INVALID_TOKEN = Set.of("BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic",
                                                            "ExpiredToken");
    /** Rejections that pass with time (throttling, APNs trouble, our provider token being refreshed). */
    private static final Set<String> TRANSIENT = Set.of("TooManyRequests", "InternalServerError", "ServiceUnavailable",
                                                        "Shutdown", "ExpiredProviderToken", "InvalidProviderToken");

    private final ApnsClient client;
    private final String defaultTopic;
    private final Duration timeout;

    private ApnsSender(ApnsClient client, String defaultTopic, Duration timeout) {
        this.client = client;
        this.defaultTopic = defaultTopic;
        this.timeout = timeout;
    }

    /** A client for the configured server: {@code production}, {@code development} or {@code host:port}. */
    static ApnsSender create(NotifySettings.Apns config, Duration timeout) throws Exception {
        final ApnsClientBuilder builder = new ApnsClientBuilder()
                .setSigningKey(ApnsSigningKey.loadFromPkcs8File(new File(config.keyFile()), config.teamId(), config.keyId()))
                .setConcurrentConnections(config.connections())
                .setConnectionTimeout(timeout);
        switch (config.server()) {
            case "production" -> builder.setApnsServer(ApnsClientBuilder.PRODUCTION_APNS_HOST);
            case "development" -> builder.setApnsServer(ApnsClientBuilder.DEVELOPMENT_APNS_HOST);
            default -> {
                final int colon = config.server().lastIndexOf(':');
                builder.setApnsServer(config.server().substring(0, colon),
                                      Integer.parseInt(config.server().substring(colon + 1)));
            }
        }
        if (!config.trustFile().isEmpty()) {
            builder.setTrustedServerCertificateChain(new File(config.trustFile()));
        }
        return new ApnsSender(builder.build(), config.topic(), timeout);
    }

    @Override
    public Outcome send(PushMessage message) throws Exception {
        final String payload = new SimpleApnsPayloadBuilder()
                .setAlertBody(message.body())
                .setLocalizedAlertMessage(message.locKey(), message.locArgs().toArray(String[]::new))
                .setBadgeNumber(message.badge())
                .setSound(SimpleApnsPayloadBuilder.DEFAULT_SOUND_FILENAME)
                .setThreadId(message.collapseId())
                .addCustomProperty("deep_link", message.deepLink())
                .build();
        final String topic = message.appId().isEmpty() ? defaultTopic : message.appId();
        final PushNotificationResponse<SimpleApnsPushNotification> response = client.sendNotification(
                new SimpleApnsPushNotification(message.token(), topic, payload, Instant.now().plus(Duration.ofDays(1)),
                                               DeliveryPriority.IMMEDIATE, PushType.ALERT, message.collapseId()))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (response.isAccepted()) {
            return Outcome.SENT;
        }
        final String reason = response.getRejectionReason().orElse("");
        if (INVALID_TOKEN.contains(reason)) {
            return Outcome.INVALID_TOKEN;
        }
        if (TRANSIENT.contains(reason) || response.getStatusCode() >= 500) {
            throw new IllegalStateException("APNs answered " + response.getStatusCode() + " " + reason);
        }
        return Outcome.REJECTED;
    }

    @Override
    public void close() {
        client.close().join();
    }
}
