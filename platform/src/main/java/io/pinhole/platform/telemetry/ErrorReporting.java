package io.pinhole.platform.telemetry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.pinhole.platform.config.Env;
import io.sentry.SentryOptions;
import io.sentry.logback.SentryAppender;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Sentry reporting when {@code SENTRY_DSN} is set: every ERROR log event (an unexpected exception answered INTERNAL,
 * a failing dependency…) becomes a Sentry event with its stack trace and the INFO lines before it as breadcrumbs.
 * Without a DSN nothing is installed (Sentry's appender, configured in logback.xml, would look for configuration
 * files and complain). {@code SENTRY_ENVIRONMENT} (default {@code production}) and {@code SENTRY_RELEASE} are passed on.
 */
public final class ErrorReporting {

    private static final String APPENDER = "SENTRY";

    private ErrorReporting() {}

    /** Adds the Sentry appender to the root logger once, when {@code SENTRY_DSN} is set; returns whether it did. */
    public static synchronized boolean installFromEnvironment(Env env, String serverName) {
        final Optional<String> dsn = env.find("SENTRY_DSN").filter(value -> !value.isBlank());
        if (dsn.isEmpty() || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return false;
        }
        final Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getAppender(APPENDER) != null) {
            return true;
        }
        final SentryAppender appender = new SentryAppender();
        appender.setName(APPENDER);
        appender.setContext(context);
        final SentryOptions options = new SentryOptions();
        options.setDsn(dsn.get());
        options.setEnvironment(env.string("SENTRY_ENVIRONMENT", "production"));
        env.find("SENTRY_RELEASE").ifPresent(options::setRelease);
        options.setServerName(serverName);
        appender.setOptions(options);
        appender.setMinimumEventLevel(Level.ERROR);
        appender.setMinimumBreadcrumbLevel(Level.INFO);
        appender.start();
        root.addAppender(appender);
        return true;
    }
}
