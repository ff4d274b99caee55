package io.pinhole.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pinhole.gateway.RealIdentity.Account;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * svc-media and svc-feed down (ports where nothing listens) beside the real svc-identity: identity's fields of a
 * query still answer, and only the fields that need the other services are null with UNAVAILABLE.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class MediaDownTest {

    @DynamicPropertySource
    static void mediaAndFeedAreDown(DynamicPropertyRegistry registry) {
        final int port = GatewayClient.closedPort();
        registry.add("PINHOLE_IDENTITY_ADDRESS", RealIdentity::address);
        registry.add("PINHOLE_MEDIA_ADDRESS", () -> "127.0.0.1:" + port);
        registry.add("PINHOLE_FEED_ADDRESS", () -> "127.0.0.1:" + port);
    }

    @LocalServerPort
    int port;

    GatewayClient gateway;

    @BeforeEach
    void gatewayClient() {
        gateway = new GatewayClient(port);
    }

    @Test
    void mediaDown_identityFieldsStillAnswer_andMediaFieldsAreUnavailable() {
        final Account zoe = RealIdentity.newAccount("zoe");

        final JsonNode response = gateway.graphql("""
                query($id: ID!) { viewer { username followerCount media(first: 3) { edges { cursor } } }
                                  media(id: $id) { id } }""", Map.of("id", "8388608"), zoe.bearer());

        assertThat(response.path("data").path("viewer").path("username").asText()).isEqualTo(zoe.username());
        assertThat(response.path("data").path("viewer").path("followerCount").asInt()).isZero();
        assertThat(response.path("data").path("viewer").path("media").isNull()).isTrue();
        assertThat(response.path("data").path("media").isNull()).isTrue();
        assertThat(response.path("errors")).hasSize(2).allSatisfy(error -> {
            assertThat(error.path("extensions").path("code").asText()).isEqualTo("UNAVAILABLE");
            assertThat(error.path("message").asText()).endsWith("is temporarily unavailable, retry later");
        });
    }

    @Test
    void feedDown_feedIsUnavailable_andATagPageBesideTheViewerToo() {
        final Account zed = RealIdentity.newAccount("zed");

        final JsonNode feed = gateway.graphql("{ feed { edges { cursor } } }", zed.bearer());
        assertThat(feed.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("UNAVAILABLE");
        assertThat(feed.path("errors").get(0).path("message").asText())
                .isEqualTo("Query.feed is temporarily unavailable, retry later");

        final JsonNode tag = gateway.graphql("{ viewer { username } tag(name: \"sunset\") { name } }", zed.bearer());
        assertThat(tag.path("data").path("viewer").path("username").asText()).isEqualTo(zed.username());
        assertThat(tag.path("data").path("tag").isNull()).isTrue();
        assertThat(tag.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("UNAVAILABLE");
    }

    @Test
    void mediaDown_uploadIsUnavailable() {
        final Account amy = RealIdentity.newAccount("amy");

        final JsonNode body = GatewayClient.json(gateway.upload(MediaEndToEndTest.UPLOAD, Map.of(),
                RealStack.photo(64, 64, java.awt.Color.PINK), "photo.png", "image/png", amy.bearer()));

        assertThat(body.path("errors").get(0).path("extensions").path("code").asText()).isEqualTo("UNAVAILABLE");
    }
}
