package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.server.Server;
import io.pinhole.identity.v1.IdentityServiceGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * svc-identity as its skeleton answers until issue 4 lands: UNIMPLEMENTED for every RPC (the generated base class).
 * The gateway reports that as UNAVAILABLE on {@code viewer}, and the rest of the query still answers.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class IdentitySkeletonTest {

    static Server skeleton;

    @DynamicPropertySource
    static void identity(DynamicPropertyRegistry registry) {
        skeleton = FakeIdentity.serve(new IdentityServiceGrpc.IdentityServiceImplBase() {});
        registry.add("PINHOLE_IDENTITY_ADDRESS", () -> "127.0.0.1:" + skeleton.activeLocalPort());
    }

    @AfterAll
    static void stop() {
        skeleton.stop().join();
    }

    @LocalServerPort
    int port;

    @Test
    void unimplementedAuthenticate_viewerIsNullWithUnavailable() {
        final JsonNode response = new GatewayClient(port).graphql("{ viewer { id } __typename }", "Bearer any-token");

        assertThat(response.path("data").path("viewer").isNull()).isTrue();
        assertThat(response.path("data").path("__typename").asText()).isEqualTo("Query");
        final JsonNode error = response.path("errors").get(0);
        assertThat(error.path("extensions").path("code").asText()).isEqualTo("UNAVAILABLE");
        assertThat(error.path("message").asText()).startsWith("not available yet");
    }

    @Test
    void anonymousViewer_isNullWithoutError() {
        final JsonNode response = new GatewayClient(port).graphql("{ viewer { id } }");

        assertThat(response.has("errors")).isFalse();
    }
}
