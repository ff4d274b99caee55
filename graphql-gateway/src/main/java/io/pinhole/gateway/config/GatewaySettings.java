package io.pinhole.gateway.config;

import static java.util.Objects.requireNonNull;

import io.pinhole.platform.client.ServiceClients;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/**
 * The gateway's own settings, read once at start-up from {@code PINHOLE_*} variables (README.md lists them); the
 * request limits are {@link RequestLimits}.
 *
 * @param identityAddress where svc-identity listens, {@code host:port}
 * @param mediaAddress where svc-media listens
 * @param feedAddress where svc-feed listens
 * @param geoAddress where svc-geo listens
 * @param notifyAddress where svc-notify listens
 * @param clients deadline ({@code PINHOLE_GATEWAY_BACKEND_DEADLINE}), circuit breaker, bulkhead and read retries of
 *        every gRPC call the gateway makes but uploads (platform {@code ServiceClients.Settings})
 * @param uploadDeadline the deadline of one {@code uploadMedia} stream (file sent, checked, rendered and stored)
 */
public record GatewaySettings(String identityAddress, String mediaAddress, String feedAddress, String geoAddress,
                              String notifyAddress, ServiceClients.Settings clients, Duration uploadDeadline) {

    public GatewaySettings {
        requireNonNull(identityAddress, "identityAddress");
        requireNonNull(mediaAddress, "mediaAddress");
        requireNonNull(feedAddress, "feedAddress");
        requireNonNull(geoAddress, "geoAddress");
        requireNonNull(notifyAddress, "notifyAddress");
        requireNonNull(clients, "clients");
        requireNonNull(uploadDeadline, "uploadDeadline");
    }

    public static GatewaySettings from(Env env) {
        return new GatewaySettings(
                PinholeService.IDENTITY.address(env),
                PinholeService.MEDIA.address(env),
                PinholeService.FEED.address(env),
                PinholeService.GEO.address(env),
                PinholeService.NOTIFY.address(env),
                ServiceClients.Settings.fromEnvironment(env)
                        .withDeadline(env.duration("PINHOLE_GATEWAY_BACKEND_DEADLINE", Duration.ofSeconds(2))),
                env.duration("PINHOLE_GATEWAY_UPLOAD_DEADLINE", Duration.ofSeconds(60)));
    }

    /**
     * The {@code PINHOLE_*} variables as Spring sees them: the process environment, and also command-line
     * arguments ({@code --PINHOLE_IDENTITY_ADDRESS=…}) and test properties, which take precedence as usual.
     */
    public static Env envOf(ConfigurableEnvironment spring) {
        final Map<String, String> variables = new HashMap<>();
        for (PropertySource<?> source : spring.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable) {
                for (String name : enumerable.getPropertyNames()) {
                    if (name.startsWith("PINHOLE_") && !variables.containsKey(name)) {
                        final String value = spring.getProperty(name);
                        if (value != null) {
                            variables.put(name, value);
                        }
                    }
                }
            }
        }
        return Env.of(variables);
    }
}
