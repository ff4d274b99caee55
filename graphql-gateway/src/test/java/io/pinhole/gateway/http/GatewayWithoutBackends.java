package io.pinhole.gateway.http;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The whole gateway on a random port with every service down (port 1 of the loopback address, where nothing
 * listens: connections are refused at once). The HTTP contract, the limits and persisted queries need no backend:
 * {@code __typename} answers, and fields that need a service answer UNAVAILABLE. The test classes that share this
 * exact configuration share one application context (Spring caches it), so the gateway starts once for all of them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "PINHOLE_IDENTITY_ADDRESS=127.0.0.1:1",
        "PINHOLE_MEDIA_ADDRESS=127.0.0.1:1",
        "PINHOLE_FEED_ADDRESS=127.0.0.1:1",
        "PINHOLE_GEO_ADDRESS=127.0.0.1:1",
        "PINHOLE_NOTIFY_ADDRESS=127.0.0.1:1"})
@interface GatewayWithoutBackends {}
