package io.pinhole.gateway;

import io.pinhole.platform.telemetry.Telemetry;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Pinhole GraphQL gateway: the only public entry point. Netflix DGS serves the schema in
 * {@code resources/schema}; data fetchers call the gRPC services through DataLoaders.
 *
 * <p>Started by {@code ./pinhole up} with a plain classpath ({@code target/<jar>:target/lib/*}), no fat jar.
 */
@SpringBootApplication
public class GatewayApplication {

    public static void main(String[] args) {
        Telemetry.initialize("graphql-gateway"); // before any gRPC client is built (platform Telemetry)
        SpringApplication.run(GatewayApplication.class, args);
    }
}
