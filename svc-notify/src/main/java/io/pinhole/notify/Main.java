package io.pinhole.notify;

import com.linecorp.armeria.server.Server;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pinhole.geo.v1.GeoServiceGrpc.GeoServiceBlockingStub;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.media.v1.MediaServiceGrpc.MediaServiceBlockingStub;
import io.pinhole.notify.v1.DevicePlatform;
import io.pinhole.notify.v1.NotifyServiceGrpc;
import io.pinhole.notify.v1.RegisterDeviceRequest;
import io.pinhole.platform.client.RedisClients;
import io.pinhole.platform.client.ServiceClients;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.config.PinholeService;
import io.pinhole.platform.events.StreamConsumer;
import io.pinhole.platform.events.Topics;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.shard.DatabaseConfig;
import io.pinhole.platform.shard.ShardedDatabase;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** svc-notify: one Armeria server on {@code PINHOLE_NOTIFY_PORT} (default 9105). */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        PinholeServer.start(newServer(Env.system()));
    }

    /** The whole service, configured once from {@code env}; public so that other modules' benchmarks can run it. */
    public static Server newServer(Env env) {
        final PinholeServer.Builder server = PinholeServer.builder(PinholeService.NOTIFY, env);
        configureServices(server, env);
        return server.build();
    }

    static void configureServices(PinholeServer.Builder server, Env env) {
        final NotifySettings settings = NotifySettings.fromEnvironment(env);
        final PrometheusMeterRegistry meters = server.meterRegistry();
        final ShardedDatabase database = ShardedDatabase.open(
                DatabaseConfig.fromEnvironment(env, PinholeService.NOTIFY.databaseName()), mybatis -> {
                    mybatis.setMapUnderscoreToCamelCase(true);
                    mybatis.addMapper(NotifyMapper.class);
                }, meters);
        server.closeOnStop(database);
        database.migrate("classpath:db/notify");

        final RedisClient redis = RedisClients.create(env);
        server.closeOnStop(redis::shutdown);
        final StatefulRedisConnection<String, String> connection = redis.connect();
        server.closeOnStop(connection);
        final ServiceClients.Settings clients = ServiceClients.Settings.fromEnvironment(env);
        final IdentityServiceBlockingStub identity = ServiceClients.create("identity",
                PinholeService.IDENTITY.address(env), IdentityServiceBlockingStub.class, clients);
        final MediaServiceBlockingStub media = ServiceClients.create("media", PinholeService.MEDIA.address(env),
                MediaServiceBlockingStub.class, clients);
        final GeoServiceBlockingStub geo = ServiceClients.create("geo", PinholeService.GEO.address(env),
                GeoServiceBlockingStub.class, clients);

        final NotifyStore store = new NotifyStore(database);
        final SecretBox secrets = SecretBox.of(settings.encryptionKey());
        final Map<Integer, PushSender> senders = Notifications.senders(apns(server, settings), fcm(settings));
        senders.values().forEach(server::closeOnStop);
        final Map<String, SharingProvider> providers = new HashMap<>();
        settings.sharingProviders().forEach((name, url) -> providers.put(name, new HttpSharingProvider(url, settings.httpTimeout())));

        final Notifications notifications = new Notifications(store, connection.sync(), identity, senders,
                                                              settings.pushWindow(), meters);
        final Webhooks webhooks = new Webhooks(store, secrets, identity, geo, settings, meters);
        final Sharing sharing = new Sharing(store, secrets, Map.copyOf(providers), media, meters);

        final Jobs jobs = new Jobs(database, settings, meters);
        final Duration forever = Duration.ofDays(3650);
        jobs.register(Jobs.Kind.NOTIFICATION, new Jobs.Policy(settings.pushMaxAttempts(), Duration.ofHours(1)),
                      notifications::notification);
        jobs.register(Jobs.Kind.PUSH, new Jobs.Policy(settings.pushMaxAttempts(), Duration.ofHours(1)), notifications::push);
        jobs.register(Jobs.Kind.WEBHOOK, new Jobs.Policy(settings.webhookMaxAttempts(), forever), webhooks::deliver);
        jobs.register(Jobs.Kind.WEBHOOK_LOCATION, new Jobs.Policy(settings.webhookMaxAttempts(), forever), webhooks::location);
        jobs.register(Jobs.Kind.SHARE, new Jobs.Policy(Integer.MAX_VALUE, settings.shareMaxAge()), sharing::share);
        jobs.start();
        server.closeOnStop(jobs);
        server.closeOnStop(StreamConsumer.start(redis, StreamConsumer.Settings.fromEnvironment(env, NotifyEvents.GROUP,
                List.of(Topics.LIKES, Topics.COMMENTS, Topics.FOLLOWS, Topics.MEDIA)),
                new NotifyEvents(jobs, notifications, webhooks, sharing), meters));

        server.service(new NotifyService(store, secrets, webhooks, sharing, identity, geo,
                                         settings.allowPrivateCallbacks()))
              .exampleRequest(NotifyServiceGrpc.SERVICE_NAME, "RegisterDevice", RegisterDeviceRequest.newBuilder()
                      .setPlatform(DevicePlatform.DEVICE_PLATFORM_APNS).setToken("device-token-hex").build());
    }

    private static PushSender apns(PinholeServer.Builder server, NotifySettings settings) {
        try {
            NotifySettings.Apns apns = settings.apns();
            if (!apns.enabled()) {
                return null;
            }
            if (apns.server().equals("local")) {
                final LocalApns local = LocalApns.start(apns);
                server.closeOnStop(local);
                apns = local.clientSettings();
            }
            return ApnsSender.create(apns, settings.httpTimeout());
        } catch (Exception e) {
            throw new IllegalStateException("APNs client could not start (PINHOLE_APNS_*): " + e.getMessage(), e);
        }
    }

    private static PushSender fcm(NotifySettings settings) {
        try {
            return settings.fcm().enabled() ? new FcmSender(settings.fcm(), settings.httpTimeout()) : null;
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalStateException("FCM client could not start (PINHOLE_FCM_CREDENTIALS_FILE): " + e.getMessage(), e);
        }
    }
}
