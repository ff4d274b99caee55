package io.pinhole.feed;

import com.linecorp.armeria.server.Server;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.feed.v1.FeedServiceGrpc;
import io.pinhole.feed.v1.GetHomeFeedRequest;
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
        server.service(new FeedService())
              .exampleRequest(FeedServiceGrpc.SERVICE_NAME, "GetHomeFeed", GetHomeFeedRequest.newBuilder().setPage(PageRequest.newBuilder().setLimit(20)).build());
    }
}
