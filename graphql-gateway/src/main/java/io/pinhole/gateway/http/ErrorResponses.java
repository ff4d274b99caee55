package io.pinhole.gateway.http;

import io.pinhole.gateway.error.GraphQlErrors;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.springframework.graphql.MediaTypes;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers the gateway gives on its own before GraphQL runs (a body too large, a malformed request): a GraphQL
 * response with one BAD_USER_INPUT error and no {@code data}, in the media type the client asked for.
 */
final class ErrorResponses {

    private ErrorResponses() {}

    /** {@code {"errors": [{"message": …, "extensions": {"code": "BAD_USER_INPUT"}}]}}. */
    static Map<String, Object> body(String message) {
        return Map.of("errors", List.of(GraphQlErrors.requestError(message).toSpecification()));
    }

    /**
     * The response media type GraphQL over HTTP asks for: {@code application/graphql-response+json} when the client
     * lists it before {@code application/json}, else {@code application/json} (also for legacy clients that send no
     * Accept header). The same choice as Spring for GraphQL's handler makes for executed requests.
     */
    static MediaType mediaType(List<String> acceptHeaders) {
        for (MediaType accepted : accepted(acceptHeaders)) {
            if (MediaTypes.APPLICATION_GRAPHQL_RESPONSE.equalsTypeAndSubtype(accepted)) {
                return MediaTypes.APPLICATION_GRAPHQL_RESPONSE;
            }
            if (MediaType.APPLICATION_JSON.equalsTypeAndSubtype(accepted)) {
                return MediaType.APPLICATION_JSON;
            }
        }
        return MediaType.APPLICATION_JSON;
    }

    /** The media types of the Accept headers in their order; none when absent or unreadable. */
    static List<MediaType> accepted(List<String> acceptHeaders) {
        if (acceptHeaders == null || acceptHeaders.isEmpty()) {
            return List.of();
        }
        try {
            return MediaType.parseMediaTypes(acceptHeaders);
        } catch (InvalidMediaTypeException e) {
            return List.of();
        }
    }

    static void write(HttpServletRequest request, HttpServletResponse response, int status, String message,
                      JsonMapper json) throws IOException {
        final MediaType mediaType = mediaType(Collections.list(request.getHeaders(HttpHeaders.ACCEPT)));
        final byte[] body = json.writeValueAsBytes(body(message));
        response.setStatus(status);
        response.setContentType(mediaType.toString());
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
