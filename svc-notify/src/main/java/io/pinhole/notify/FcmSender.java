package io.pinhole.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Firebase Cloud Messaging, HTTP v1 API: {@code POST <endpoint>/v1/projects/<project>/messages:send} with an OAuth
 * bearer token (from the service account's key, {@code PINHOLE_FCM_CREDENTIALS_FILE}) and {@code {"message": {...}}}. The endpoint is configurable so that tests (and staging) can point it
 * at a stand-in that speaks the same shape.
 *
 * <p>Answers: 200 is sent; 404 {@code UNREGISTERED} (and 403 {@code SENDER_ID_MISMATCH}) mean the token is dead;
 * 429 and 5xx are worth a retry; any other 4xx is a rejection retrying cannot fix.
 */
final class FcmSender implements PushSender {

    /** The scope FCM's send API requires of an OAuth 2 token. */
    static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";

    private final HttpClient http;
    private final URI sendUri;
    private final GoogleCredentials credentials;
    private final String fixedToken;
    private final Duration timeout;

    FcmSender(NotifySettings.Fcm config, Duration timeout) throws IOException {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        final String base = config.endpoint().toString().replaceAll("/+$", "");
        this.sendUri = URI.create(base + "/v1/projects/" + config.projectId() + "/messages:send");
        if (config.credentialsFile().isBlank()) {
            this.credentials = null;
        } else {
            try (InputStream key = Files.newInputStream(Path.of(config.credentialsFile()))) {
                this.credentials = GoogleCredentials.fromStream(key).createScoped(List.of(SCOPE));
            }
        }
        this.fixedToken = config.accessToken();
        this.timeout = timeout;
    }

    /** A valid token: the library refreshes it a few minutes before it expires (an hour), once for all threads. */
    private String accessToken() throws IOException {
        if (credentials == null) {
            return fixedToken;
        }
        credentials.refreshIfExpired();
        return credentials.getAccessToken().getTokenValue();
    }

    @Override
    public Outcome send(PushMessage message) throws Exception {
        final ObjectNode body = Jobs.JSON.createObjectNode();
        final ObjectNode fcm = body.putObject("message");
        fcm.put("token", message.token());
        fcm.putObject("notification").put("body", message.body());
        final ObjectNode data = fcm.putObject("data");
        data.put("deep_link", message.deepLink());
        data.put("badge", Integer.toString(message.badge()));
        final ObjectNode android = fcm.putObject("android");
        android.put("collapse_key", message.collapseId());
        if (!message.appId().isEmpty()) {
            android.put("restricted_package_name", message.appId());
        }
        final ObjectNode notification = android.putObject("notification");
        notification.put("tag", message.collapseId());
        notification.put("body_loc_key", message.locKey());
        message.locArgs().forEach(notification.putArray("body_loc_args")::add);
        notification.put("notification_count", message.badge());

        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(sendUri)
                .timeout(timeout)
                .header("Authorization", "Bearer " + accessToken())
                .header("Content-Type", "application/json; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(Jobs.JSON.writeValueAsString(body), StandardCharsets.UTF_8))
                .build(), HttpResponse.BodyHandlers.ofString());
        final int status = response.statusCode();
        if (status == 200) {
            return Outcome.SENT;
        }
        final String code = errorCode(response.body());
        if (status == 404 && "UNREGISTERED".equals(code) || status == 403 && "SENDER_ID_MISMATCH".equals(code)) {
            return Outcome.INVALID_TOKEN;
        }
        if (status == 401 && credentials != null) {
            credentials.refresh(); // revoked or expired early: a new token, and the job retries
            throw new IllegalStateException("FCM refused the access token (401); refreshed it");
        }
        if (status == 429 || status >= 500) {
            throw new IllegalStateException("FCM answered " + status + " " + code);
        }
        return Outcome.REJECTED;
    }

    /** The {@code FcmError.errorCode} of an error answer, else its {@code error.status}. */
    private static String errorCode(String body) {
        try {
            final JsonNode error = Jobs.JSON.readTree(body).path("error");
            for (JsonNode detail : error.path("details")) {
                if (detail.has("errorCode")) {
                    return detail.get("errorCode").asText();
                }
            }
            return error.path("status").asText("");
        } catch (Exception e) {
            return "";
        }
    }
}
