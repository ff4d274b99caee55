package io.pinhole.gateway.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of a POST to the GraphQL endpoint, checked before Spring reads it:
 *
 * <ul>
 *   <li>at most {@code maxBytes} (PINHOLE_GATEWAY_MAX_REQUEST_BYTES), else 413 with a GraphQL error, whether the
 *       client declares a Content-Length or streams the body chunked (then it is read up to one byte past the
 *       limit, never further);</li>
 *   <li>a JSON body must be one JSON object: a JSON array (a batch of operations, which some servers accept) is
 *       refused with 400 and says so, and malformed JSON gets a GraphQL error too rather than Spring's error page.</li>
 * </ul>
 *
 * Multipart requests (uploads) are left to Tomcat's multipart limits and {@code error.UploadLimits}.
 */
final class RequestBodyLimit extends OncePerRequestFilter {

    static final String BATCH_REFUSED = "batched requests (a JSON array of operations) are not supported: "
                                        + "send one operation per request";

    private final int maxBytes;
    private final JsonMapper json;

    RequestBodyLimit(int maxBytes, JsonMapper json) {
        this.maxBytes = maxBytes;
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        final MediaType contentType = contentType(request);
        if (!"POST".equals(request.getMethod())
            || (contentType != null && MediaType.MULTIPART_FORM_DATA.includes(contentType))) {
            chain.doFilter(request, response);
            return;
        }
        if (request.getContentLengthLong() > maxBytes) {
            tooLarge(request, response);
            return;
        }
        final byte[] body = request.getInputStream().readNBytes(maxBytes + 1);
        if (body.length > maxBytes) {
            tooLarge(request, response);
            return;
        }
        if (contentType != null && MediaType.APPLICATION_JSON.includes(contentType)) {
            final String problem = jsonProblem(body);
            if (problem != null) {
                ErrorResponses.write(request, response, HttpServletResponse.SC_BAD_REQUEST, problem, json);
                return;
            }
        }
        chain.doFilter(new ReadBody(request, body), response);
    }

    private void tooLarge(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ErrorResponses.write(request, response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
                             "request body too large: at most " + maxBytes + " bytes", json);
    }

    /** Why {@code body} is not one JSON object, or null when it is. */
    private String jsonProblem(byte[] body) {
        final JsonNode tree;
        try {
            tree = json.readTree(body);
        } catch (JacksonException e) {
            return "the request body is not valid JSON";
        }
        if (tree == null || tree.isMissingNode()) {
            return "the request body is empty: send a JSON object with a query";
        }
        if (tree.isArray()) {
            return BATCH_REFUSED;
        }
        if (!tree.isObject()) {
            return "the request body must be a JSON object with a query";
        }
        return parameterProblem(tree);
    }

    /**
     * Why a request's parameters are not of the types GraphQL over HTTP gives them, or null. Jackson would
     * otherwise turn {@code "query": 1} into the text "1" and answer a syntax error as if the client meant it.
     */
    static String parameterProblem(JsonNode request) {
        for (String text : new String[] {"query", "operationName"}) {
            final JsonNode value = request.get(text);
            if (value != null && !value.isNull() && !value.isString()) {
                return text + " must be a string";
            }
        }
        for (String map : new String[] {"variables", "extensions"}) {
            final JsonNode value = request.get(map);
            if (value != null && !value.isNull() && !value.isObject()) {
                return map + " must be a JSON object";
            }
        }
        return null;
    }

    private static MediaType contentType(HttpServletRequest request) {
        try {
            return request.getContentType() == null ? null : MediaType.parseMediaType(request.getContentType());
        } catch (InvalidMediaTypeException e) {
            return null; // Spring for GraphQL answers 415
        }
    }

    /** The request with its body already read. */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            final ByteArrayInputStream bytes = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return bytes.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return bytes.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return bytes.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body is already read");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            final String encoding = getCharacterEncoding();
            final Charset charset = encoding != null ? Charset.forName(encoding) : StandardCharsets.UTF_8;
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
