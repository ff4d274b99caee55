package io.pinhole.gateway.http;

import graphql.execution.instrumentation.Instrumentation;
import io.pinhole.gateway.config.RequestLimits;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.graphql.server.WebGraphQlHandler;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * GraphQL over HTTP on top of Spring for GraphQL's POST endpoint (README.md, "GraphQL over HTTP"): GET for
 * queries, 406 for an Accept header the gateway cannot satisfy, and the request body limit.
 */
@Configuration(proxyBeanMethods = false)
public class HttpConfiguration {

    /** {@code GET /graphql}, ahead of Spring Boot's routes for the path (whose GET answers 405). */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    RouterFunction<ServerResponse> graphQlGetRoute(@Value("${spring.graphql.http.path:/graphql}") String path,
                                                   WebGraphQlHandler webGraphQlHandler, JsonMapper jsonMapper) {
        final GraphQlGetHandler handler = new GraphQlGetHandler(webGraphQlHandler, jsonMapper);
        return RouterFunctions.route().GET(path, handler::handleGet).build();
    }

    /** First among the instrumentations: a mutation sent with GET is 405 whatever else is wrong with it. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    Instrumentation mutationsOverGet() {
        return new MutationsOverGet();
    }

    @Bean
    FilterRegistrationBean<AcceptableMediaTypes> acceptableMediaTypes(
            @Value("${spring.graphql.http.path:/graphql}") String path, JsonMapper jsonMapper) {
        final FilterRegistrationBean<AcceptableMediaTypes> registration =
                new FilterRegistrationBean<>(new AcceptableMediaTypes(jsonMapper));
        registration.addUrlPatterns(path);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
        return registration;
    }

    @Bean
    FilterRegistrationBean<RequestBodyLimit> requestBodyLimit(
            @Value("${spring.graphql.http.path:/graphql}") String path, RequestLimits limits, JsonMapper jsonMapper) {
        final FilterRegistrationBean<RequestBodyLimit> registration =
                new FilterRegistrationBean<>(new RequestBodyLimit(limits.maxBodyBytes(), jsonMapper));
        registration.addUrlPatterns(path);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 101);
        return registration;
    }
}
