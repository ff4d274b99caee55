package io.pinhole.gateway.telemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.pinhole.platform.telemetry.Telemetry;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The root of each GraphQL request's trace: a SERVER span for {@code /graphql}, continuing the client's W3C
 * {@code traceparent} when it sends one. It is current while the request is served, so every gRPC call of the
 * request starts a client span below it (platform ServiceClients) and sends its context on; it ends when the
 * response is complete (Spring may answer GraphQL asynchronously). Its trace ID is in the gateway's log lines and
 * every service's (TracingEndToEndTest).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class HttpTracingFilter extends OncePerRequestFilter {

    static final String SERVICE_NAME = "graphql-gateway";

    private static final TextMapGetter<HttpServletRequest> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpServletRequest request) {
            return Collections.list(request.getHeaderNames());
        }

        @Override
        public String get(HttpServletRequest request, String key) {
            return request == null ? null : request.getHeader(key);
        }
    };

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().equals("/graphql");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        final OpenTelemetry telemetry = Telemetry.openTelemetry();
        final Context parent = telemetry.getPropagators().getTextMapPropagator().extract(Context.root(), request, HEADERS);
        final Span span = telemetry.getTracer("io.pinhole.gateway").spanBuilder(request.getMethod() + " /graphql")
                .setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute("http.request.method", request.getMethod()).setAttribute("url.path", "/graphql")
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            if (request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        end(span, response);
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                        span.setStatus(StatusCode.ERROR, "timeout");
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                        span.setStatus(StatusCode.ERROR);
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {
                        // the same request dispatched again: this listener stays registered
                    }
                });
            } else {
                end(span, response);
            }
        }
    }

    private static void end(Span span, HttpServletResponse response) {
        span.setAttribute("http.response.status_code", response.getStatus());
        if (response.getStatus() >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }
}
