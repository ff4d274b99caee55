package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** SPRING_PROFILES_ACTIVE=production: no introspection, no GraphiQL; queries still answer. */
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
    void queries_stillAnswer() {
        final JsonNode response = gateway.graphql("{ viewer { id } }");

        assertThat(response.path("data").path("viewer").isNull()).isTrue();
        assertThat(response.has("errors")).isFalse();
    }
}
