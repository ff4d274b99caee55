package io.pinhole.gateway.telemetry;

import io.pinhole.platform.config.Env;
import io.pinhole.platform.telemetry.ErrorReporting;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Sentry for the gateway, as for the services (platform {@link ErrorReporting}, when {@code SENTRY_DSN} is set).
 * Installed once the application is ready: Spring Boot configures logback during start-up and would drop an
 * appender added before.
 */
@Component
class ErrorReportingConfiguration {

    @EventListener(ApplicationReadyEvent.class)
    void installSentry() {
        ErrorReporting.installFromEnvironment(Env.system(), HttpTracingFilter.SERVICE_NAME);
    }
}
