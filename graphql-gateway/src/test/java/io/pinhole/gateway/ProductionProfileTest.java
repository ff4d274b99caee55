package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * SPRING_PROFILES_ACTIVE=production: no introspection, no GraphiQL, no name suggestions, no stack traces; queries
 * still answer.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("production")
class ProductionProfileTest {

    @DynamicPropertySource
    static void identityIsDown(DynamicPropertyRegistry registry) {
        final int port = GatewayClient.closedPort();
        registry.add("PINHOLE_IDENTITY_ADDRESS", () -> "127.0.0.1:" + port);
    }

    @LocalServerPort
    int port;

    GatewayClient gateway;

    @BeforeEach
    void setUp() {
        gateway = new GatewayClient(port);
    }

    @Test
    void introspection_isRefused() {
        final JsonNode response = gateway.graphql("{ __schema { types { name } } }");

        assertThat(response.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("BAD_USER_INPUT");
        assertThat(response.toString()).doesNotContain("MediaConnection");
    }

    @Test
    void graphiql_isNotServed() {
        assertThat(gateway.get("/graphiql").statusCode()).isEqualTo(404);
        assertThat(gateway.get("/graphiql?path=/graphql").statusCode()).isEqualTo(404);
    }

    @Test
    void errors_neverSuggestNames() {
        // Each misspelling is one letter off a real name; graphql-js would answer "Did you mean …?".
        final Map<String, String> misspellings = Map.of(
                "{ viewr { id } }", "viewer",
                "{ searchUsers(query: \"ann\", frist: 3) { id } }", "first",
                "{ viewer { fullNme } }", "fullName",
                "{ ...F } fragment F on Qery { __typename }", "Query",
                "query($x: Boolen) { __typename }", "Boolean",
                "mutation { registerDevice(input: {platform: APN, token: \"abc\"}) }", "APNS");
        misspellings.forEach((query, realName) -> {
            final JsonNode errors = gateway.graphql(query).path("errors");

            assertThat(errors).as(query).isNotEmpty();
            for (JsonNode error : errors) {
                assertThat(error.path("extensions").path("code").asText()).as(query).isEqualTo("BAD_USER_INPUT");
                assertThat(error.path("message").asText()).as(query)
                        .doesNotContainIgnoringCase("did you mean")
                        .doesNotContain(realName);
            }
        });
    }

    @Test
    void errors_carryNoStackTraceOrClassName() throws Exception {
        final HttpClient http = HttpClient.newHttpClient();
        final URI endpoint = URI.create("http://127.0.0.1:" + port + "/graphql");
        final List<HttpResponse<String>> responses = List.of(
                http.send(HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
                                     .POST(HttpRequest.BodyPublishers.ofString("{\"query\": ")).build(),
                          HttpResponse.BodyHandlers.ofString()),
                http.send(HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
                                     .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"{ viewer { id } }\", "
                                                                               + "\"variables\": {\"a\": }}")).build(),
                          HttpResponse.BodyHandlers.ofString()),
                http.send(HttpRequest.newBuilder(URI.create(endpoint + "?query=%7B"))
                                     .header("Accept", "application/graphql-response+json").GET().build(),
                          HttpResponse.BodyHandlers.ofString()));

        for (HttpResponse<String> response : responses) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
            assertThat(response.body()).contains("BAD_USER_INPUT")
                                       .doesNotContain("Exception", "\tat ", "java.", "io.pinhole", "springframework");
        }
    }

    @Test
    void queries_stillAnswer() {
        final JsonNode response = gateway.graphql("{ viewer { id } }");

        assertThat(response.path("data").path("viewer").isNull()).isTrue();
        assertThat(response.has("errors")).isFalse();
    }
}
