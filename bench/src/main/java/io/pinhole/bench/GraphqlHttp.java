package io.pinhole.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A GraphQL client of the gateway as apps speak to it: JSON POSTs, and uploads as GraphQL multipart requests (the
 * spec every client library implements). An answer with errors throws {@link GraphqlError} carrying
 * {@code extensions.code}.
 */
final class GraphqlHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An answer with errors (or a status other than 200): {@code code} is the first error's code, or HTTP_nnn. */
    static final class GraphqlError extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        GraphqlError(String code, String message) {
            super(code + " " + message);
            this.code = code;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;

    GraphqlHttp(int port) {
        this.endpoint = URI.create("http://127.0.0.1:" + port + "/graphql");
    }

    /** Runs {@code query} as {@code token} (null: anonymous) and returns {@code data}. */
    JsonNode execute(String token, String query, Map<String, Object> variables) throws Exception {
        final HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        Map.of("query", query, "variables", variables))));
        return send(request, token);
    }

    /**
     * Runs the mutation {@code query} whose variable {@code file} is {@code photo} (a JPEG) and the other variables
     * {@code variables}; returns {@code data}.
     */
    JsonNode upload(String token, String query, Map<String, Object> variables, byte[] photo) throws Exception {
        final String boundary = "pinhole" + System.nanoTime();
        final Map<String, Object> withFile = new LinkedHashMap<>(variables);
        withFile.put("file", null);
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n"
                    + JSON.writeValueAsString(Map.of("query", query, "variables", withFile)) + "\r\n--" + boundary
                    + "\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{\"0\":[\"variables.file\"]}\r\n--"
                    + boundary + "\r\nContent-Disposition: form-data; name=\"0\"; filename=\"photo.jpg\"\r\n"
                    + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(photo);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())), token);
    }

    private JsonNode send(HttpRequest.Builder request, String token) throws Exception {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        final HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        final JsonNode answer = response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        if (answer.has("errors")) {
            final JsonNode first = answer.get("errors").get(0);
            throw new GraphqlError(first.path("extensions").path("code").asText("NO_CODE"),
                                   first.path("message").asText());
        }
        if (response.statusCode() != 200) {
            throw new GraphqlError("HTTP_" + response.statusCode(), response.body());
        }
        return answer.path("data");
    }
}
