package io.pinhole.gateway.http;

import static java.util.Objects.requireNonNull;

import jakarta.servlet.ServletException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.graphql.server.WebGraphQlHandler;
import org.springframework.graphql.server.WebGraphQlRequest;
import org.springframework.graphql.server.WebGraphQlResponse;
import org.springframework.graphql.server.support.SerializableGraphQlRequest;
import org.springframework.graphql.server.webmvc.GraphQlHttpHandler;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /graphql?query=…&operationName=…&variables=…&extensions=…} (GraphQL over HTTP): Spring for GraphQL
 * serves POST only. The parameters become the same request a POST body makes, through the same interceptors
 * (errors, persisted queries, viewer) and the same answer: this is Spring's own POST handler, whose response
 * writing (media type from Accept, 400 for a request error with {@code application/graphql-response+json}) it
 * reuses. Only queries run: anything else is 405 with {@code Allow: POST} ({@link MutationsOverGet}).
 *
 * <p>GET makes queries cacheable by URL and lets mobile clients send an automatic persisted query by hash alone
 * ({@code extensions={"persistedQuery":…}} without {@code query}).
 */
public final class GraphQlGetHandler extends GraphQlHttpHandler {

    private final WebGraphQlHandler graphQlHandler;
    private final JsonMapper json;

    GraphQlGetHandler(WebGraphQlHandler graphQlHandler, JsonMapper json) {
        super(requireNonNull(graphQlHandler, "graphQlHandler"));
        this.graphQlHandler = graphQlHandler;
        this.json = requireNonNull(json, "json");
    }

    /** Runs the query the URL's parameters describe. */
    public ServerResponse handleGet(ServerRequest request) throws ServletException {
        final SerializableGraphQlRequest body = new SerializableGraphQlRequest();
        final Optional<String> query = request.param("query");
        query.ifPresent(body::setQuery);
        request.param("operationName").filter(name -> !name.isEmpty()).ifPresent(body::setOperationName);
        try {
            body.setVariables(jsonObject(request.param("variables"), "variables"));
            body.setExtensions(jsonObject(request.param("extensions"), "extensions"));
        } catch (IllegalArgumentException malformed) {
            return badRequest(request, malformed.getMessage());
        }
        if (query.isEmpty() && (body.getExtensions() == null || !body.getExtensions().containsKey("persistedQuery"))) {
            return badRequest(request, "the query parameter is missing");
        }

        final WebGraphQlRequest graphQlRequest = new WebGraphQlRequest(
                request.uri(), request.headers().asHttpHeaders(), cookies(request), request.remoteAddress().orElse(null),
                request.attributes(), body, UUID.randomUUID().toString(), LocaleContextHolder.getLocale());
        graphQlRequest.configureExecutionInput((input, builder) -> builder
                .graphQLContext(Map.of(MutationsOverGet.GET_REQUEST, true)).build());
        final Mono<WebGraphQlResponse> response = graphQlHandler.handleRequest(graphQlRequest).map(answer -> {
            if (MutationsOverGet.refused(answer.getExecutionInput())) {
                answer.getResponseHeaders().setAllow(Set.of(HttpMethod.POST));
            }
            return answer;
        });
        return prepareResponse(request, response);
    }

    @Override
    protected HttpStatus selectResponseStatus(WebGraphQlResponse response, MediaType mediaType) {
        return MutationsOverGet.refused(response.getExecutionInput())
               ? HttpStatus.METHOD_NOT_ALLOWED
               : super.selectResponseStatus(response, mediaType);
    }

    /** The JSON object a parameter holds (URL-encoded JSON, as GraphQL over HTTP says), or null when absent. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> jsonObject(Optional<String> parameter, String name) {
        if (parameter.isEmpty() || parameter.get().isEmpty()) {
            return null;
        }
        final JsonNode tree;
        try {
            tree = json.readTree(parameter.get());
        } catch (JacksonException e) {
            throw new IllegalArgumentException(name + " must be a JSON object (URL-encoded): it is not valid JSON");
        }
        if (tree.isNull()) {
            return null;
        }
        if (!tree.isObject()) {
            throw new IllegalArgumentException(name + " must be a JSON object (URL-encoded)");
        }
        return json.treeToValue(tree, Map.class);
    }

    private static ServerResponse badRequest(ServerRequest request, String message) {
        return ServerResponse.badRequest()
                             .contentType(ErrorResponses.mediaType(request.headers().header("Accept")))
                             .body(ErrorResponses.body(message));
    }

    private static MultiValueMap<String, HttpCookie> cookies(ServerRequest request) {
        final MultiValueMap<String, HttpCookie> cookies = new LinkedMultiValueMap<>();
        request.cookies().forEach((name, values) -> values.forEach(
                cookie -> cookies.add(name, new HttpCookie(cookie.getName(), cookie.getValue()))));
        return cookies;
    }
}
