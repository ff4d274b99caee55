package io.pinhole.gateway.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import org.springframework.graphql.MediaTypes;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * 406 Not Acceptable for a request to the GraphQL endpoint whose Accept header names none of the media types the
 * gateway answers in. GraphQL over HTTP lets a server either do this (recommended) or ignore the header; Spring for
 * GraphQL answers such a POST 415, which blames the request body instead. No Accept header means "anything".
 */
final class AcceptableMediaTypes extends OncePerRequestFilter {

    /** What the endpoint produces: GraphQL responses, and server-sent events (Spring's SSE route, subscriptions). */
    private static final List<MediaType> PRODUCED = List.of(
            MediaTypes.APPLICATION_GRAPHQL_RESPONSE, MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM);

    private final JsonMapper json;

    AcceptableMediaTypes(JsonMapper json) {
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        final List<String> accept = Collections.list(request.getHeaders(HttpHeaders.ACCEPT));
        if ("OPTIONS".equals(request.getMethod()) || accept.isEmpty() || acceptable(ErrorResponses.accepted(accept))) {
            chain.doFilter(request, response);
            return;
        }
        ErrorResponses.write(request, response, HttpServletResponse.SC_NOT_ACCEPTABLE,
                             "not acceptable: the GraphQL endpoint answers application/graphql-response+json or "
                             + "application/json", json);
    }

    /** True when one of {@code accepted} (an unreadable header gives none: let Spring judge it) allows a produced type. */
    static boolean acceptable(List<MediaType> accepted) {
        if (accepted.isEmpty()) {
            return true;
        }
        return accepted.stream().filter(type -> type.getQualityValue() > 0)
                       .anyMatch(type -> PRODUCED.stream().anyMatch(type::isCompatibleWith));
    }
}
