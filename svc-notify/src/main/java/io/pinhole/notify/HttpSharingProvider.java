package io.pinhole.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A provider reached by one HTTP POST of JSON ({@code media_id}, {@code caption}, {@code image_url}, {@code link})
 * with the account's token as bearer and an {@code Idempotency-Key}. 2xx: posted; 408, 429 and 5xx: retried; any
 * other answer: refused for good.
 */
final class HttpSharingProvider implements SharingProvider {

    private final URI url;
    private final HttpClient http;
    private final Duration timeout;

    HttpSharingProvider(URI url, Duration timeout) {
        this.url = url;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                              .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public boolean share(String accessToken, Share share) throws Exception {
        final String body = Jobs.JSON.writeValueAsString(Jobs.JSON.createObjectNode()
                .put("media_id", Long.toString(share.mediaId())).put("caption", share.caption())
                .put("image_url", share.imageUrl()).put("link", share.link()));
        final int status = http.send(HttpRequest.newBuilder(url).timeout(timeout)
                .header("Authorization", "Bearer " + accessToken)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", share.idempotencyKey())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
        if (status / 100 == 2) {
            return true;
        }
        if (status == 408 || status == 429 || status >= 500) {
            throw new IllegalStateException("provider answered HTTP " + status);
        }
        return false;
    }
}
