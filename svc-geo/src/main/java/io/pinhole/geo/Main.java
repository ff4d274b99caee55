package io.pinhole.geo;

import com.linecorp.armeria.server.Server;
import io.lettuce.core.RedisClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pinhole.geo.v1.GeoServiceGrpc;
import io.pinhole.geo.v1.SearchNearbyRequest;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.platform.client.RedisClients;
import io.pinhole.platform.client.ServiceClients;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.events.StreamConsumer;
import io.pinhole.platform.events.Topics;
import io.pinhole.platform.server.PinholeServer;
import java.time.Duration;
import java.util.List;

/** svc-geo: one Armeria server on {@code PINHOLE_GEO_PORT} (default 9104). */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        PinholeServer.start(newServer(Env.system()));
    }

    /** The whole service, configured once from {@code env}; public so that other modules' tests can run it. */
    public static Server newServer(Env env) {
        final PinholeServer.Builder server = PinholeServer.builder(PinholeService.GEO, env);
        configureServices(server, env);
        return server.build();
    }

    static void configureServices(PinholeServer.Builder server, Env env) {
        final PrometheusMeterRegistry meters = server.meterRegistry();

        final GeoSolr solr = GeoSolr.connect(SolrSettings.fromEnvironment(env));
        server.closeOnStop(solr);
        solr.ensureSchema();
        final RedisClient redis = RedisClients.create(env);
        server.closeOnStop(redis::shutdown);
        final IdentityServiceBlockingStub identity = ServiceClients.create("identity", PinholeService.IDENTITY.address(env),
                IdentityServiceBlockingStub.class, ServiceClients.Settings.fromEnvironment(env));

        final GeoIndex index = new GeoIndex(solr);
        final IndexBatcher batcher = IndexBatcher.start(index, env.integer("PINHOLE_GEO_INDEX_BATCH", 500));
        server.closeOnStop(batcher);
        server.closeOnStop(StreamConsumer.start(redis,
                StreamConsumer.Settings.fromEnvironment(env, GeoEvents.GROUP, List.of(Topics.MEDIA, Topics.USERS)),
                new GeoEvents(batcher, index, env.duration("PINHOLE_GEO_INDEX_TIMEOUT", Duration.ofSeconds(30))), meters));

        server.service(new GeoService(new GeoSearch(solr), identity))
              .exampleRequest(GeoServiceGrpc.SERVICE_NAME, "SearchNearby",
                              SearchNearbyRequest.newBuilder().setLat(52.5200).setLng(13.4050).setRadiusKm(2).build());
    }
}
