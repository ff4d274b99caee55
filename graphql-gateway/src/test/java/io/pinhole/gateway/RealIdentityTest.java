package io.pinhole.gateway;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway over real HTTP on a random port, pointed at the real svc-identity ({@link RealIdentity}), svc-media and
 * svc-feed ({@link RealStack}), with its calls recorded ({@link IdentityCalls}, {@link BackendCalls}). Subclasses
 * share one Spring context (and the services, once per test JVM).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({IdentityCalls.Recording.class, BackendCalls.Recording.class})
abstract class RealIdentityTest {

    @DynamicPropertySource
    static void realIdentity(DynamicPropertyRegistry registry) {
        registry.add("PINHOLE_IDENTITY_ADDRESS", RealIdentity::address);
        registry.add("PINHOLE_MEDIA_ADDRESS", RealStack::mediaAddress);
        registry.add("PINHOLE_FEED_ADDRESS", RealStack::feedAddress);
        registry.add("PINHOLE_GEO_ADDRESS", RealStack::geoAddress);
        registry.add("PINHOLE_NOTIFY_ADDRESS", RealStack::notifyAddress);
    }

    @LocalServerPort
    int port;

    GatewayClient gateway;

    @BeforeEach
    void gatewayClient() {
        gateway = new GatewayClient(port);
    }
}
