package io.pinhole.gateway.config;

import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import io.pinhole.platform.config.Env;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

/** Settings, and the query limits DGS applies to every operation (it picks up every {@link Instrumentation}). */
@Configuration(proxyBeanMethods = false)
public class GatewayConfiguration {

    @Bean
    Env pinholeEnv(ConfigurableEnvironment spring) {
        return GatewaySettings.envOf(spring);
    }

    @Bean
    GatewaySettings gatewaySettings(Env pinholeEnv) {
        return GatewaySettings.from(pinholeEnv);
    }

    @Bean
    Instrumentation maxQueryDepth(GatewaySettings settings) {
        return new MaxQueryDepthInstrumentation(settings.maxQueryDepth());
    }

    @Bean
    Instrumentation maxQueryComplexity(GatewaySettings settings) {
        return new MaxQueryComplexityInstrumentation(settings.maxQueryComplexity());
    }
}
