package io.pinhole.geo;

import com.linecorp.armeria.server.Server;
import io.pinhole.geo.v1.GeoServiceGrpc;
import io.pinhole.geo.v1.SearchNearbyRequest;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.server.PinholeServer;

/** svc-geo: one Armeria server on {@code PINHOLE_GEO_PORT} (default 9104). */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        PinholeServer.start(newServer(Env.system()));
    }

    /** The whole service, configured once from {@code env}. */
    static Server newServer(Env env) {
        final PinholeServer.Builder server = PinholeServer.builder(PinholeService.GEO, env);
        configureServices(server, env);
        return server.build();
    }

    static void configureServices(PinholeServer.Builder server, Env env) {
        server.service(new GeoService())
              .exampleRequest(GeoServiceGrpc.SERVICE_NAME, "SearchNearby", SearchNearbyRequest.newBuilder().setLat(52.5200).setLng(13.4050).setRadiusKm(2).build());
    }
}
