package io.pinhole.notify;

import io.pinhole.platform.config.Env;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** svc-notify's own settings, read once from the environment (README lists them with their defaults). */
record NotifySettings(
        Duration pushWindow,
        Duration poll,
        int jobWorkers,
        Duration jobLease,
        Duration retryBase,
        Duration retryMax,
        int pushMaxAttempts,
        int webhookMaxAttempts,
        int webhookDisableFailures,
        Duration webhookDisableAfter,
        Duration httpTimeout,
        boolean allowPrivateCallbacks,
        Duration shareMaxAge,
        Duration jobRetention,
        Optional<String> encryptionKey,
        Map<String, URI> sharingProviders,
        Apns apns,
        Fcm fcm) {

    /** APNs through Pushy: off when {@code server} is empty; {@code local} runs an in-process mock (development). */
    record Apns(String server, String keyFile, String teamId, String keyId, String topic, String trustFile,
                int connections) {
        boolean enabled() {
            return !server.isEmpty();
        }
    }

    /**
     * FCM HTTP v1: off without a project ID. Authorized by a service account's key file ({@code credentialsFile},
     * production: tokens made and refreshed by Google's auth library) or else a fixed {@code accessToken} (tests).
     */
    record Fcm(URI endpoint, String projectId, String accessToken, String credentialsFile) {
        boolean enabled() {
            return !projectId.isEmpty();
        }
    }

    static NotifySettings fromEnvironment(Env env) {
        final Map<String, URI> providers = new LinkedHashMap<>();
        for (String entry : env.list("PINHOLE_SHARING_PROVIDERS", java.util.List.of())) {
            final int equals = entry.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("PINHOLE_SHARING_PROVIDERS: entries are name=url, was '" + entry + "'");
            }
            providers.put(entry.substring(0, equals).trim().toLowerCase(Locale.ROOT), URI.create(entry.substring(equals + 1).trim()));
        }
        return new NotifySettings(
                env.duration("PINHOLE_NOTIFY_PUSH_WINDOW", Duration.ofSeconds(30)),
                env.duration("PINHOLE_NOTIFY_POLL", Duration.ofSeconds(1)),
                env.integer("PINHOLE_NOTIFY_JOB_WORKERS", 32),
                env.duration("PINHOLE_NOTIFY_JOB_LEASE", Duration.ofSeconds(60)),
                env.duration("PINHOLE_NOTIFY_RETRY_BASE", Duration.ofSeconds(1)),
                env.duration("PINHOLE_NOTIFY_RETRY_MAX", Duration.ofMinutes(10)),
                env.integer("PINHOLE_NOTIFY_PUSH_MAX_ATTEMPTS", 6),
                env.integer("PINHOLE_NOTIFY_WEBHOOK_MAX_ATTEMPTS", 8),
                env.integer("PINHOLE_NOTIFY_WEBHOOK_DISABLE_FAILURES", 20),
                env.duration("PINHOLE_NOTIFY_WEBHOOK_DISABLE_AFTER", Duration.ofHours(24)),
                env.duration("PINHOLE_NOTIFY_HTTP_TIMEOUT", Duration.ofSeconds(5)),
                env.bool("PINHOLE_NOTIFY_ALLOW_PRIVATE_CALLBACKS", false),
                env.duration("PINHOLE_NOTIFY_SHARE_MAX_AGE", Duration.ofDays(3)),
                env.duration("PINHOLE_NOTIFY_JOB_RETENTION", Duration.ofDays(1)),
                env.find("PINHOLE_NOTIFY_ENCRYPTION_KEY"),
                Map.copyOf(providers),
                new Apns(env.string("PINHOLE_APNS_SERVER", ""), env.string("PINHOLE_APNS_KEY_FILE", ""),
                         env.string("PINHOLE_APNS_TEAM_ID", ""), env.string("PINHOLE_APNS_KEY_ID", ""),
                         env.string("PINHOLE_APNS_TOPIC", "io.pinhole.app"), env.string("PINHOLE_APNS_TRUST_FILE", ""),
                         env.integer("PINHOLE_APNS_CONNECTIONS", 2)),
                new Fcm(URI.create(env.string("PINHOLE_FCM_ENDPOINT", "https://fcm.googleapis.com")),
                        env.string("PINHOLE_FCM_PROJECT_ID", ""), env.string("PINHOLE_FCM_ACCESS_TOKEN", ""),
                        env.string("PINHOLE_FCM_CREDENTIALS_FILE", "")));
    }
}
