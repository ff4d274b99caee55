package io.pinhole.gateway.config;

import io.pinhole.feed.v1.FeedServiceGrpc.FeedServiceFutureStub;
import io.pinhole.geo.v1.GeoServiceGrpc.GeoServiceFutureStub;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceFutureStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceStub;
import io.pinhole.notify.v1.NotifyServiceGrpc.NotifyServiceFutureStub;
import io.pinhole.platform.client.ServiceClients;
import io.pinhole.platform.config.Env;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

/** Settings and the service stubs (the request limits: {@link RequestLimitsConfiguration}). */
@Configuration(proxyBeanMethods = false)
public class GatewayConfiguration {

    @Bean
    Env pinholeEnv(ConfigurableEnvironment spring) {
        return GatewaySettings.envOf(spring);
    }

    @Bean
    GatewaySettings gatewaySettings(Env pinholeEnv) {
        return GatewaySettings.from(pinholeEnv);
    }

    /**
     * The one svc-identity stub of the gateway (platform {@link ServiceClients}: deadline, circuit breaker named
     * {@code svc-identity}); a bean so that {@code IdentityClient} and tests share the very stub the gateway uses.
     */
    @Bean
    IdentityServiceFutureStub identityStub(GatewaySettings settings) {
        return ServiceClients.create("svc-identity", settings.identityAddress(), IdentityServiceFutureStub.class,
                                     settings.clients());
    }

    /**
     * The one svc-media stub (circuit breaker {@code svc-media}). An asynchronous stub, because UploadMedia is a
     * client stream; {@code MediaClient} makes its future stub for the unary calls on the same channel, so both share
     * the deadline and the one breaker.
     */
    @Bean
    MediaServiceStub mediaStub(GatewaySettings settings) {
        return ServiceClients.create("svc-media", settings.mediaAddress(), MediaServiceStub.class,
                                     settings.clients());
    }

    /** The one svc-feed stub (circuit breaker {@code svc-feed}). */
    @Bean
    FeedServiceFutureStub feedStub(GatewaySettings settings) {
        return ServiceClients.create("svc-feed", settings.feedAddress(), FeedServiceFutureStub.class,
                                     settings.clients());
    }

    /** The one svc-geo stub (circuit breaker {@code svc-geo}). */
    @Bean
    GeoServiceFutureStub geoStub(GatewaySettings settings) {
        return ServiceClients.create("svc-geo", settings.geoAddress(), GeoServiceFutureStub.class,
                                     settings.clients());
    }

    /** The one svc-notify stub (circuit breaker {@code svc-notify}). */
    @Bean
    NotifyServiceFutureStub notifyStub(GatewaySettings settings) {
        return ServiceClients.create("svc-notify", settings.notifyAddress(), NotifyServiceFutureStub.class,
                                     settings.clients());
    }
}
