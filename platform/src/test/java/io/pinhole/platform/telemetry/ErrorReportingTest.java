package io.pinhole.platform.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.server.Server;
import io.pinhole.platform.config.Env;
import io.sentry.Sentry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Sentry reporting against a local HTTP server in Sentry's place (Sentry is a remote third party): an ERROR log line
 * arrives as an envelope with its message when SENTRY_DSN is set; nothing is installed without it.
 */
class ErrorReportingTest {

    @Test
    void withoutDsnNothingIsInstalled() {
        assertThat(ErrorReporting.installFromEnvironment(Env.of(Map.of()), "svc-test")).isFalse();
        assertThat(root().getAppender("SENTRY")).isNull();
    }

    @Test
    void anErrorLogLineReachesSentry() {
        final List<String> envelopes = new CopyOnWriteArrayList<>();
        final Server sentry = Server.builder().http(0)
                .service("prefix:/api/", (ctx, request) -> HttpResponse.of(request.aggregate().thenApply(body -> {
                    envelopes.add(ctx.path() + "\n" + body.contentUtf8());
                    return com.linecorp.armeria.common.AggregatedHttpResponse.of(com.linecorp.armeria.common.HttpStatus.OK,
                            com.linecorp.armeria.common.MediaType.JSON, "{}").toHttpResponse();
                })))
                .decorator(com.linecorp.armeria.server.encoding.DecodingService.newDecorator()) // Sentry gzips envelopes
                .build();
        sentry.start().join();
        try {
            final String dsn = "http://public@127.0.0.1:" + sentry.activeLocalPort() + "/42";
            assertThat(ErrorReporting.installFromEnvironment(Env.of(Map.of("SENTRY_DSN", dsn)), "svc-test")).isTrue();
            LoggerFactory.getLogger("io.pinhole.test").error("the disk is on fire", new IllegalStateException("smoke"));
            await().atMost(Duration.ofSeconds(10)).until(() -> envelopes.stream()
                    .anyMatch(envelope -> envelope.startsWith("/api/42/envelope/") && envelope.contains("the disk is on fire")));
            assertThat(envelopes).anyMatch(envelope -> envelope.contains("IllegalStateException") && envelope.contains("svc-test"));
        } finally {
            final var appender = root().getAppender("SENTRY");
            if (appender != null) {
                root().detachAppender(appender);
                appender.stop();
            }
            Sentry.close();
            sentry.stop().join();
        }
    }

    private static ch.qos.logback.classic.Logger root() {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
