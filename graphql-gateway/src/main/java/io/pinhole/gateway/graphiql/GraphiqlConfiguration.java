package io.pinhole.gateway.graphiql;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.graphql.server.webmvc.GraphiQlHandler;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * GraphiQL at {@code /graphiql}, served entirely by the gateway from the bundle that {@code src/main/graphiql} builds
 * into {@code pinhole-graphiql/} on the classpath. Spring's stock page loads GraphiQL from a CDN and never renders
 * offline, so it is switched off ({@code spring.graphql.graphiql.enabled=false}) and this one follows
 * {@code dgs.graphql.graphiql.enabled} instead (on unless set to false; off in the production profile).
 *
 * <p>The bundle lives outside {@code static/} so that switching GraphiQL off also hides its files.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "dgs.graphql.graphiql.enabled", havingValue = "true", matchIfMissing = true)
public class GraphiqlConfiguration implements WebMvcConfigurer {

    static final String BUNDLE = "pinhole-graphiql/";

    @Bean
    RouterFunction<ServerResponse> graphiqlPage(@Value("${spring.graphql.http.path:/graphql}") String graphQlPath) {
        final Resource page = new ClassPathResource(BUNDLE + "index.html");
        if (!page.exists()) {
            // Built with -Dgraphiql.skip=true (no npm): say so rather than fail obscurely.
            return RouterFunctions.route().GET("/graphiql", request -> ServerResponse
                    .status(HttpStatus.NOT_FOUND).contentType(MediaType.TEXT_PLAIN)
                    .body("GraphiQL was not bundled into this build (built with -Dgraphiql.skip=true)\n")).build();
        }
        // Spring's handler redirects /graphiql to /graphiql?path=<GraphQL endpoint> and serves the page as text/html.
        final GraphiQlHandler handler = new GraphiQlHandler(graphQlPath, null, page);
        return RouterFunctions.route().GET("/graphiql", handler::handleRequest).build();
    }

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        // Vite puts a content hash in every asset name: cache them for good.
        registry.addResourceHandler("/graphiql/assets/**")
                .addResourceLocations("classpath:/" + BUNDLE + "assets/")
                .setCacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable());
    }
}
