package io.pinhole.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A GraphQL client over real HTTP, as an app would call the gateway. */
final class GatewayClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String base;

    GatewayClient(int port) {
        this(port, null);
    }

    /**
     * A client whose connections leave from {@code localAddress} (a loopback address such as 127.0.0.2, so that the
     * gateway sees another client address), or from the default address when null.
     */
    GatewayClient(int port, InetAddress localAddress) {
        final HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (localAddress != null) {
            builder.localAddress(localAddress);
        }
        this.http = builder.build();
        this.base = "http://127.0.0.1:" + port;
    }

    /** POSTs {@code query} without an Authorization header and returns the whole response body. */
    JsonNode graphql(String query) {
        return graphql(query, null);
    }

    /** POSTs {@code query} with {@code authorization} as the Authorization header (none when null). */
    JsonNode graphql(String query, String authorization) {
        return graphql(query, Map.of(), authorization);
    }

    /** POSTs {@code query} with {@code variables} and {@code authorization} (none when null). */
    JsonNode graphql(String query, Map<String, ?> variables, String authorization) {
        try {
            final HttpRequest.Builder request = HttpRequest
                    .newBuilder(URI.create(base + "/graphql"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                            Map.of("query", query, "variables", variables))));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            final HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("HTTP " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * POSTs a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec): the
     * {@code operations} part with {@code query} and {@code variables} (whose {@code file} is set to null), the
     * {@code map} part mapping file part {@code 0} to {@code variables.file}, and the file part itself. Returns the
     * raw response (the status matters: an upload over the limit is 413).
     */
    HttpResponse<String> upload(String query, Map<String, ?> variables, byte[] file, String fileName,
                                String contentType, String authorization) {
        final String boundary = "pinhole-" + System.nanoTime();
        try {
            final Map<String, Object> withFile = new java.util.HashMap<>(variables);
            withFile.put("file", null);
            final Map<String, Object> operations = new java.util.HashMap<>();
            operations.put("query", query);
            operations.put("variables", withFile);
            final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(file.length + 1024);
            final java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"operations\"\r\n"
                        + "Content-Type: application/json\r\n\r\n" + JSON.writeValueAsString(operations) + "\r\n")
                               .getBytes(utf8));
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"map\"\r\n"
                        + "Content-Type: application/json\r\n\r\n{\"0\": [\"variables.file\"]}\r\n").getBytes(utf8));
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"0\"; filename=\"" + fileName
                        + "\"\r\nContent-Type: " + contentType + "\r\n\r\n").getBytes(utf8));
            body.write(file);
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(utf8));
            final HttpRequest.Builder request = HttpRequest
                    .newBuilder(URI.create(base + "/graphql"))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The JSON of a response body. */
    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<String> get(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                             HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A local port nothing listens on (taken and released): a service that is down. */
    static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
