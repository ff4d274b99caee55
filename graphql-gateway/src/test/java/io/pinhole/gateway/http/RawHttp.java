package io.pinhole.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Plain HTTP to the gateway's /graphql with every header under the test's control (GatewayClient insists on 200). */
final class RawHttp {

    static final String GRAPHQL_RESPONSE = "application/graphql-response+json";
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String endpoint;

    RawHttp(int port) {
        this.endpoint = "http://127.0.0.1:" + port + "/graphql";
    }

    /** POSTs {@code body} as is, with Content-Type {@code contentType} and Accept {@code accept} (none when null). */
    HttpResponse<String> post(String body, String contentType, String accept) {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return send(withHeaders(request, contentType, accept));
    }

    /** POSTs {@code body} chunked: no Content-Length, so the gateway learns the size only by reading. */
    HttpResponse<String> postChunked(String body, String accept) {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));
        return send(withHeaders(request, "application/json", accept));
    }

    /** POSTs a JSON object with {@code fields} (query, variables, extensions…). */
    HttpResponse<String> postJson(Map<String, ?> fields, String accept) {
        try {
            return post(JSON.writeValueAsString(fields), "application/json", accept);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GETs /graphql with {@code parameters} URL-encoded (maps become JSON, as GraphQL over HTTP says). */
    HttpResponse<String> get(Map<String, ?> parameters, String accept) {
        final String query = parameters.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + URLEncoder.encode(text(entry.getValue()), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint + "?" + query))
                .timeout(Duration.ofSeconds(20)).GET();
        return send(withHeaders(request, null, accept));
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    static String contentType(HttpResponse<String> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }

    /** The {@code extensions.code} of the response's first error. */
    static String firstCode(HttpResponse<String> response) {
        return json(response).path("errors").path(0).path("extensions").path("code").asText();
    }

    static Map<String, Object> fields(Object... keysAndValues) {
        final Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static String text(Object value) {
        if (value instanceof String string) {
            return string;
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpRequest.Builder withHeaders(HttpRequest.Builder request, String contentType, String accept) {
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        return request;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
