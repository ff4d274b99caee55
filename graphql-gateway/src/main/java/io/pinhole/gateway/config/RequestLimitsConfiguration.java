package io.pinhole.gateway.config;

import graphql.analysis.MaxQueryComplexityInstrumentation;
import graphql.analysis.MaxQueryDepthInstrumentation;
import graphql.execution.AbortExecutionException;
import graphql.execution.instrumentation.Instrumentation;
import io.pinhole.platform.config.Env;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * The limits every GraphQL request must keep ({@link RequestLimits}), as the instrumentations DGS applies to every
 * operation (it picks up every {@link Instrumentation} bean). The body size limit is a servlet filter
 * ({@code http.HttpConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
public class RequestLimitsConfiguration {

    @Bean
    RequestLimits requestLimits(Env pinholeEnv) {
        return RequestLimits.from(pinholeEnv);
    }

    // Order: the cheapest and most precise refusal first (a too-deep query is usually also too costly).
    @Bean
    @Order(1)
    Instrumentation documentLimits(RequestLimits limits) {
        return new DocumentLimits(limits.maxOperations(), limits.maxAliases());
    }

    @Bean
    @Order(2)
    Instrumentation maxQueryDepth(RequestLimits limits) {
        return new MaxQueryDepthInstrumentation(limits.maxDepth());
    }

    @Bean
    @Order(3)
    Instrumentation maxQueryCost(RequestLimits limits) {
        return new MaxQueryComplexityInstrumentation(limits.maxCost(), new PageSizeCost(limits.maxCost())) {
            // GraphQL-Java's message would print PageSizeCost's capped total ("3001 > 3000"): say what counts instead.
            @Override
            protected AbortExecutionException mkAbortException(int totalComplexity, int maxComplexity) {
                return new AbortExecutionException("query complexity over the limit of " + maxComplexity + ": each "
                        + "field costs 1, and a field with a `first` argument multiplies the cost of its selection by "
                        + "its page size");
            }
        };
    }
}
