package io.pinhole.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A local stand-in for Firebase Cloud Messaging's HTTP v1 send API, the one remote third party of the whole flow:
 * svc-notify POSTs {@code /v1/projects/<project>/messages:send} here and gets 200, as from FCM. Records every
 * {@code message} it receives, so a test sees the push a device would get.
 */
final class LocalFcm implements AutoCloseable {

    static final String PROJECT = "pinhole-gateway-tests";
    static final String ACCESS_TOKEN = "local-fcm-token";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<JsonNode> messages = new CopyOnWriteArrayList<>();

    private LocalFcm(HttpServer server) {
        this.server = server;
    }

    static LocalFcm start() {
        try {
            final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            final LocalFcm fcm = new LocalFcm(server);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/v1/projects/" + PROJECT + "/messages:send", fcm::handle);
            server.start();
            return fcm;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        final byte[] request = exchange.getRequestBody().readAllBytes();
        final boolean authorized = ("Bearer " + ACCESS_TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"));
        if (authorized && "POST".equals(exchange.getRequestMethod())) {
            messages.add(JSON.readTree(request).path("message"));
        }
        final byte[] answer = (authorized ? "{\"name\":\"projects/" + PROJECT + "/messages/1\"}"
                                          : "{\"error\":{\"status\":\"UNAUTHENTICATED\"}}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(authorized ? 200 : 401, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    /** {@code PINHOLE_FCM_ENDPOINT}. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The messages pushed to the device {@code token} so far, oldest first. */
    List<JsonNode> messagesTo(String token) {
        return messages.stream().filter(message -> message.path("token").asText().equals(token)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
