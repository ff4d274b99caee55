package io.pinhole.feed;

import com.linecorp.armeria.server.Server;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.server.PinholeServer;

/** svc-feed: one Armeria server on {@code PINHOLE_FEED_PORT} (default 9103). */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        PinholeServer.start(newServer(Env.system()));
    }

    /** The whole service, configured once from {@code env}. */
    static Server newServer(Env env) {
        final PinholeServer.Builder server = PinholeServer.builder(PinholeService.FEED, env);
        configureServices(server, env);
        return server.build();
    }

    static void configureServices(PinholeServer.Builder server, Env env) {
        server.service(new FeedService());
    }
}
