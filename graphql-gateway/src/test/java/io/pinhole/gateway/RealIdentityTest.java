package io.pinhole.gateway;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The gateway over real HTTP on a random port, pointed at the real svc-identity ({@link RealIdentity}), with its
 * identity calls recorded ({@link IdentityCalls}). Subclasses share one Spring context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(IdentityCalls.Recording.class)
abstract class RealIdentityTest {

    @DynamicPropertySource
    static void realIdentity(DynamicPropertyRegistry registry) {
        registry.add("PINHOLE_IDENTITY_ADDRESS", RealIdentity::address);
    }

    @LocalServerPort
    int port;

    GatewayClient gateway;

    @BeforeEach
    void gatewayClient() {
        gateway = new GatewayClient(port);
    }
}
