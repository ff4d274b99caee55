package io.pinhole.bench;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.server.Server;
import com.sun.net.httpserver.HttpServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.pinhole.devstack.Devstack;
import io.pinhole.devstack.DevstackConfig;
import io.pinhole.events.v1.Commented;
import io.pinhole.events.v1.EventEnvelope;
import io.pinhole.events.v1.MediaPosted;
import io.pinhole.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import io.pinhole.identity.v1.SignUpRequest;
import io.pinhole.notify.v1.CreateSubscriptionRequest;
import io.pinhole.notify.v1.DevicePlatform;
import io.pinhole.notify.v1.NotifyServiceGrpc.NotifyServiceBlockingStub;
import io.pinhole.notify.v1.RegisterDeviceRequest;
import io.pinhole.notify.v1.SubscriptionObject;
import io.pinhole.platform.config.Env;
import io.pinhole.platform.events.Topics;
import io.pinhole.platform.server.PinholeServer;
import io.pinhole.platform.server.Viewer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@code ./pinhole bench notify [clients] [seconds]}: svc-notify's delivery rates end to end, from events on the
 * streams to the far end: pushes/s to the mock APNs server (Pushy's MockApnsServer in svc-notify's JVM with
 * {@code PINHOLE_APNS_SERVER=local}: HTTP/2, TLS, token auth), one NOTIFICATION and one PUSH job per Commented
 * event; and webhook deliveries/s (signed POSTs to a receiver in this JVM), one WEBHOOK job per subscription per
 * MediaPosted. Plus RegisterDevice over gRPC, closed loop with {@code clients} threads.
 *
 * <p>svc-notify runs as its own JVM from {@code svc-notify/target} (as in {@code ./pinhole up}); identity in this
 * one; PostgreSQL ×2 and Redis from devstack. Everything shares the machine's cores.
 */
final class NotifyBenchmark {

    private static final int RECIPIENTS = 50;
    private static final int SUBSCRIPTIONS = 10;

    private NotifyBenchmark() {}

    static void run(int clients, int seconds, int events) throws Exception {
        try (Devstack devstack = Devstack.create(DevstackConfig.forTests())) {
            devstack.postgres().createDatabase("pinhole_identity");
            devstack.postgres().createDatabase("pinhole_notify");
            final Map<String, String> env = new HashMap<>(devstack.postgres().environment());
            env.putAll(devstack.redis().environment());
            env.putAll(devstack.memcached().environment());
            env.put("PINHOLE_IDENTITY_PORT", "0");
            env.put("PINHOLE_MEDIA_ADDRESS", "127.0.0.1:1");
            env.put("PINHOLE_ARGON2_MEMORY_KIB", "1024");
            env.put("PINHOLE_ARGON2_ITERATIONS", "1");
            env.put("PINHOLE_SIGNUPS_PER_ADDRESS", "1000000");
            final Server identityServer = PinholeServer.start(io.pinhole.identity.Main.newServer(Env.of(env)));
            final RedisClient redisClient = RedisClient.create(devstack.redis().uri());
            final AtomicLong deliveries = new AtomicLong();
            final HttpServer receiver = receiver(deliveries);
            Process notify = null;
            try (StatefulRedisConnection<String, byte[]> redis = redisClient.connect(
                    RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE))) {
                final IdentityServiceBlockingStub identity = GrpcClients.newClient(
                        "http://127.0.0.1:" + identityServer.activeLocalPort(), IdentityServiceBlockingStub.class);
                final Map<String, String> notifyEnv = new HashMap<>(env);
                notifyEnv.put("PINHOLE_IDENTITY_ADDRESS", "127.0.0.1:" + identityServer.activeLocalPort());
                notifyEnv.put("PINHOLE_APNS_SERVER", "local");
                notifyEnv.put("PINHOLE_NOTIFY_ALLOW_PRIVATE_CALLBACKS", "true");
                notifyEnv.put("PINHOLE_QUEUE_WORKERS", "4");
                notifyEnv.put("PINHOLE_NOTIFY_POLL", "100ms");
                final ServiceProcess.Started started = ServiceProcess.start("svc-notify", "io.pinhole.notify.Main",
                                                                            "PINHOLE_NOTIFY_PORT", notifyEnv);
                notify = started.process();
                final NotifyServiceBlockingStub stub = GrpcClients.newClient("http://" + started.address(),
                                                                             NotifyServiceBlockingStub.class);

                System.out.printf("seeding %d recipients with an APNs device each, an author and %d subscriptions…%n",
                                  RECIPIENTS, SUBSCRIPTIONS);
                final long author = signUp(identity, "notify_author");
                final List<Long> recipients = new ArrayList<>();
                for (int i = 0; i < RECIPIENTS; i++) {
                    final long user = signUp(identity, "notify_recipient_" + i);
                    Viewer.as(stub, user).registerDevice(RegisterDeviceRequest.newBuilder()
                            .setPlatform(DevicePlatform.DEVICE_PLATFORM_APNS).setToken(String.format("%064x", user)).build());
                    recipients.add(user);
                }
                for (int i = 0; i < SUBSCRIPTIONS; i++) {
                    Viewer.as(stub, recipients.get(i)).createSubscription(CreateSubscriptionRequest.newBuilder()
                            .setObject(SubscriptionObject.SUBSCRIPTION_OBJECT_TAG).setObjectId("benchtag")
                            .setCallbackUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook/" + i).build());
                }

                final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                final URI metrics = URI.create("http://" + started.address() + "/metrics");
                System.out.printf("publishing %,d Commented events (one push each)…%n", events);
                final double pushesPerSecond = drain(events, () -> counter(http, metrics,
                        "pinhole_notify_pushes_total", "outcome=\"sent\""), notify, () -> {
                    final List<EventEnvelope> batch = new ArrayList<>();
                    for (int i = 0; i < events; i++) {
                        final long recipient = recipients.get(i % RECIPIENTS);
                        batch.add(envelope(recipient, EventEnvelope.newBuilder().setCommented(Commented.newBuilder()
                                .setCommentId(1_000_000L + i).setMediaId(recipient).setOwnerId(recipient)
                                .setAuthorId(author).setText("benchmark comment " + i))));
                    }
                    publish(redis.async(), Topics.COMMENTS, batch);
                });
                final int posts = Math.max(1, events / SUBSCRIPTIONS);
                System.out.printf("publishing %,d MediaPosted events with #benchtag (%d subscriptions: %,d deliveries)…%n",
                                  posts, SUBSCRIPTIONS, posts * SUBSCRIPTIONS);
                final double webhooksPerSecond = drain(posts * SUBSCRIPTIONS, deliveries::get, notify, () -> {
                    final List<EventEnvelope> batch = new ArrayList<>();
                    for (int i = 0; i < posts; i++) {
                        batch.add(envelope(author, EventEnvelope.newBuilder().setMediaPosted(MediaPosted.newBuilder()
                                .setMediaId(2_000_000L + i).setOwnerId(author).addTags("benchtag"))));
                    }
                    publish(redis.async(), Topics.MEDIA, batch);
                });

                System.out.printf("RegisterDevice, %d clients, %d s…%n", clients, seconds);
                final IdentityBenchmark.Result register = IdentityBenchmark.measure(clients, seconds, iteration ->
                        Viewer.as(stub, recipients.get((int) (iteration % RECIPIENTS))).registerDevice(
                                RegisterDeviceRequest.newBuilder().setPlatform(DevicePlatform.DEVICE_PLATFORM_FCM)
                                        .setToken("bench-" + iteration % 20).build()));

                final String report = String.format(Locale.ROOT, """
                        {"events": %d, "pushes_per_s": %.0f, "webhook_deliveries_per_s": %.0f, \
                        "register_device": %s}
                        """, events, pushesPerSecond, webhooksPerSecond, register.json());
                System.out.printf(Locale.ROOT, "%npushes to the mock APNs server: %,.0f/s (%,d Commented events → "
                        + "NOTIFICATION → PUSH → Pushy → MockApnsServer)%nwebhook deliveries: %,.0f/s (signed POSTs)%n"
                        + "RegisterDevice: %s%n", pushesPerSecond, events, webhooksPerSecond, register.json());
                Files.createDirectories(Path.of("bench/reports"));
                Files.writeString(Path.of("bench/reports/notify.json"), report);
            } finally {
                if (notify != null) {
                    notify.destroy();
                    notify.waitFor(10, TimeUnit.SECONDS);
                }
                receiver.stop(0);
                redisClient.shutdown();
                identityServer.stop().join();
            }
        }
    }

    private static long signUp(IdentityServiceBlockingStub identity, String name) {
        return identity.signUp(SignUpRequest.newBuilder().setUsername(name).setEmail(name + "@example.com")
                .setPassword("benchmark password").build()).getUser().getId();
    }

    private static EventEnvelope envelope(long aggregate, EventEnvelope.Builder event) {
        final Instant now = Instant.now();
        return event.setEventId(UUID.randomUUID().toString()).setAggregateId(aggregate)
                .setOccurredAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(now.getEpochSecond())
                        .setNanos(now.getNano())).build();
    }

    /** Publishes, then waits until {@code done} has grown by {@code expected}; the rate over publish → last. */
    private static double drain(long expected, LongSupplier done, Process notify, ThrowingRunnable publish) throws Exception {
        final long before = done.getAsLong();
        final long started = System.nanoTime();
        publish.run();
        final long deadline = started + TimeUnit.MINUTES.toNanos(10);
        long reached;
        while ((reached = done.getAsLong() - before) < expected) {
            if (System.nanoTime() > deadline || !notify.isAlive()) {
                throw new IllegalStateException("stalled at " + reached + " of " + expected
                        + " (see bench/reports/svc-notify.log)");
            }
            notify.waitFor(200, TimeUnit.MILLISECONDS);
        }
        return expected / ((System.nanoTime() - started) / 1e9);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static void publish(RedisAsyncCommands<String, byte[]> redis, String topic, List<EventEnvelope> events)
            throws Exception {
        final List<RedisFuture<String>> pending = new ArrayList<>();
        for (EventEnvelope event : events) {
            pending.add(redis.xadd(topic, Map.of("event", event.toByteArray(),
                    "event_id", event.getEventId().getBytes(StandardCharsets.UTF_8))));
        }
        for (RedisFuture<String> future : pending) {
            future.get(10, TimeUnit.SECONDS);
        }
    }

    /** The sum of a Prometheus counter's samples whose labels contain {@code label}. */
    private static long counter(HttpClient http, URI metrics, String name, String label) {
        try {
            final String text = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith(name + "{") && line.contains(label)) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return (long) sum;
        } catch (Exception e) {
            return 0;
        }
    }

    private static HttpServer receiver(AtomicLong deliveries) throws Exception {
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            final String query = exchange.getRequestURI().getRawQuery();
            exchange.getRequestBody().readAllBytes();
            byte[] body = new byte[0];
            if (exchange.getRequestMethod().equals("GET") && query != null) {
                for (String pair : query.split("&")) {
                    if (pair.startsWith("hub.challenge=")) {
                        body = pair.substring("hub.challenge=".length()).getBytes(StandardCharsets.UTF_8);
                    }
                }
            } else {
                deliveries.incrementAndGet();
            }
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }
}
