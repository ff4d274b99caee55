package io.pinhole.platform.telemetry;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

/**
 * {@code %traceId} in a logback pattern: {@code trace=<32 hex digits> } while a traced call is being served on the
 * logging thread, nothing otherwise. Read from OpenTelemetry's current context, which the gRPC interceptors set
 * ({@link Telemetry}).
 */
public final class TraceIdConverter extends ClassicConverter {

    @Override
    public String convert(ILoggingEvent event) {
        final SpanContext span = Span.current().getSpanContext();
        return span.isValid() ? "trace=" + span.getTraceId() + " " : "";
    }
}
