package io.pinhole.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.pinhole.platform.client.RedisClients;
import io.pinhole.platform.config.Env;
import java.awt.Color;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code ./pinhole faults}: the fault suite (issues 11 and 12). Against the stack {@code ./pinhole up --replicas 2}
 * runs, a steady mixed load goes through the gateway as an app would send it (home feeds, likes, comments, posts,
 * follows) while, one at a time, each service loses one of its two instances to {@code kill -9}, then memcached,
 * Redis and one PostgreSQL server do. {@code ./pinhole up} and devstack start what was killed again, as a kubelet or
 * systemd would. For each fault it records the requests and failures from the kill until the system is healthy again,
 * the time until the killed process serves again and the time until the last failure.
 *
 * <p>Afterwards it checks what "an acknowledged write is never lost" means here: every acknowledged post, like,
 * comment and follow exists; every post reached the home timeline of each of its author's followers (followed
 * before the post) exactly once; the dead-letter streams hold nothing new. It fails (exit code 1) when one of those
 * does not hold, when killing a replica failed more than 0.1 % of the requests, or when any request failed with
 * anything but UNAVAILABLE (INTERNAL or a missing code would be our bug). The table goes to stdout and
 * {@code bench/reports/faults.json}.
 */
final class FaultSuite {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int USERS = 30;
    private static final int FOLLOWS_PER_USER = 6;
    private static final int RATE_PER_SECOND = 15;
    private static final Duration STEADY = Duration.ofSeconds(5);
    private static final Duration WARM_UP = Duration.ofSeconds(20);
    private static final Duration QUIET_TO_RECOVER = Duration.ofSeconds(5);
    /** Each fault is watched at least this long: a 0.1 % limit means little over a few hundred requests. */
    private static final Duration MIN_WINDOW = Duration.ofSeconds(30);
    private static final Duration MAX_RECOVERY = Duration.ofSeconds(150);
    private static final double REPLICA_KILL_MAX_FAILURE_RATE = 0.001;
    private static final String POST = """
            mutation Post($file: Upload!, $caption: String) { uploadMedia(file: $file, caption: $caption) { id } }""";
    /** What an app's home screen asks for. */
    private static final String HOME = """
            { feed(first: 20) { edges { node { id caption likeCount viewerHasLiked owner { username } } }
              pageInfo { hasNextPage endCursor } } }""";
    private static final String FEED = """
            query Feed($after: String) { feed(first: 50, after: $after) {
              edges { node { id owner { id } } } pageInfo { hasNextPage endCursor } } }""";

    record User(long id, String username, String token) {}

    record Post(long mediaId, long author, long acknowledgedAt) {}

    record Follow(long follower, long followee, long acknowledgedAt) {}

    /** One request of the load: when it started, and how it ended (null = acknowledged). */
    record Outcome(long startedAt, String operation, String failure) {}

    /** One fault: what was killed, and how to find and probe it. */
    record Fault(String name, boolean replicated, java.util.function.LongSupplier pid, BooleanSupplier serving) {}

    private final Env env = Env.system();
    private final Path state = Path.of(env.string("PINHOLE_STATE", ".pinhole"));
    private final GraphqlHttp gateway = new GraphqlHttp(env.integer("PINHOLE_GATEWAY_PORT", 8080));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final List<User> users = new ArrayList<>();
    private final Map<Long, User> usersById = new ConcurrentHashMap<>();
    private final Set<Long> likable = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Post> posts = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<long[]> likes = new ConcurrentLinkedQueue<>();       // {user, media}
    private final ConcurrentLinkedQueue<long[]> comments = new ConcurrentLinkedQueue<>();    // {comment, media}
    private final ConcurrentLinkedQueue<Follow> follows = new ConcurrentLinkedQueue<>();
    private final Set<String> followPairs = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final byte[] photo;

    private FaultSuite() throws Exception {
        photo = SyntheticWorld.photo(new Color(240, 160, 60), new Color(40, 60, 120));
    }

    static void run() throws Exception {
        System.exit(new FaultSuite().runAll() ? 0 : 1);
    }

    private boolean runAll() throws Exception {
        final long started = System.nanoTime();
        System.out.println("fault suite: seeding " + USERS + " users through the gateway");
        seed();
        final Map<String, Long> deadLettersBefore = deadLetters();
        final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
        final ExecutorService requests = Executors.newFixedThreadPool(32);
        ticks.scheduleAtFixedRate(() -> requests.execute(this::oneRequest), 0, 1_000_000 / RATE_PER_SECOND,
                                  TimeUnit.MICROSECONDS);
        final List<Map<String, Object>> table = new ArrayList<>();
        try {
            Thread.sleep(WARM_UP.toMillis()); // fresh JVMs are slow for their first requests: not what is measured
            for (Fault fault : faults()) {
                table.add(inject(fault));
            }
        } finally {
            ticks.shutdownNow();
            requests.shutdown();
            requests.awaitTermination(60, TimeUnit.SECONDS);
        }
        System.out.println("fault suite: load stopped; checking every acknowledged write");
        final Map<String, Object> checks = verify(deadLettersBefore);
        final Map<String, Object> report = summary(table, checks, (System.nanoTime() - started) / 1e9);
        Files.createDirectories(Path.of("bench/reports"));
        JSON.writeValue(Path.of("bench/reports/faults.json").toFile(), report);
        print(table, checks);
        final boolean passed = (boolean) report.get("passed");
        System.out.println("fault suite: " + (passed ? "passed" : "FAILED: " + report.get("failed_because")));
        return passed;
    }

    // --- the world and the load --------------------------------------------------------------------------------

    private void seed() throws Exception {
        final String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        for (int i = 0; i < USERS; i++) {
            final String username = "fault_" + run + "_" + i;
            final JsonNode payload = gateway.execute(null, """
                    mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token user { id } } }""",
                    Map.of("input", Map.of("username", username, "password", "correct horse " + run,
                                           "email", username + "@example.com"))).path("signUp");
            final User user = new User(payload.path("user").path("id").asLong(), username,
                                       payload.path("token").asText());
            users.add(user);
            usersById.put(user.id(), user);
        }
        for (User user : users) {
            for (int f = 0; f < FOLLOWS_PER_USER; f++) {
                follow(user, users.get(ThreadLocalRandom.current().nextInt(USERS)));
            }
        }
        for (User user : users) {
            post(user);
            readWholeFeed(user); // a user who reads is active: fan-out writes their timeline
        }
    }

    private void oneRequest() {
        final long startedAt = System.nanoTime();
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final User user = users.get(random.nextInt(users.size()));
        final int dice = random.nextInt(100);
        final String operation = dice < 40 ? "feed" : dice < 60 ? "like" : dice < 75 ? "comment" : dice < 85 ? "post"
                : "follow";
        String failure = null;
        try {
            switch (operation) {
                case "feed" -> gateway.execute(user.token(), HOME, Map.of());
                case "like" -> like(user, anyLikable(random));
                case "comment" -> comment(user, anyLikable(random));
                case "post" -> post(user);
                default -> follow(user, users.get(random.nextInt(users.size())));
            }
        } catch (GraphqlHttp.GraphqlError e) {
            failure = e.code;
        } catch (Exception e) {
            failure = e.getClass().getSimpleName();
        }
        outcomes.add(new Outcome(startedAt, operation, failure));
    }

    private long anyLikable(ThreadLocalRandom random) {
        final Long[] ids = likable.toArray(Long[]::new);
        return ids[random.nextInt(ids.length)];
    }

    private void post(User author) throws Exception {
        final long id = gateway.upload(author.token(), POST, Map.of("caption", "fault suite #steady"), photo)
                               .path("uploadMedia").path("id").asLong();
        posts.add(new Post(id, author.id(), System.nanoTime()));
        likable.add(id);
    }

    private void like(User user, long mediaId) throws Exception {
        gateway.execute(user.token(), "mutation Like($id: ID!) { like(mediaId: $id) { id } }",
                        Map.of("id", Long.toString(mediaId)));
        likes.add(new long[] {user.id(), mediaId});
    }

    private void comment(User user, long mediaId) throws Exception {
        final long id = gateway.execute(user.token(), """
                mutation Comment($id: ID!, $text: String!) { addComment(mediaId: $id, text: $text) { id } }""",
                Map.of("id", Long.toString(mediaId), "text", "nice one")).path("addComment").path("id").asLong();
        comments.add(new long[] {id, mediaId});
    }

    private void follow(User follower, User followee) throws Exception {
        if (follower.id() == followee.id() || !followPairs.add(follower.id() + ">" + followee.id())) {
            return; // following oneself is refused, following twice changes nothing: neither is a fault's doing
        }
        try {
            gateway.execute(follower.token(), "mutation Follow($id: ID!) { follow(userId: $id) { id } }",
                            Map.of("id", Long.toString(followee.id())));
        } catch (Exception e) {
            followPairs.remove(follower.id() + ">" + followee.id());
            throw e;
        }
        follows.add(new Follow(follower.id(), followee.id(), System.nanoTime()));
    }

    // --- faults --------------------------------------------------------------------------------------------------

    private List<Fault> faults() {
        final List<Fault> faults = new ArrayList<>();
        final Map<String, Integer> services = new LinkedHashMap<>();
        services.put("svc-identity", env.integer("PINHOLE_IDENTITY_PORT", 9101));
        services.put("svc-media", env.integer("PINHOLE_MEDIA_PORT", 9102));
        services.put("svc-feed", env.integer("PINHOLE_FEED_PORT", 9103));
        services.put("svc-geo", env.integer("PINHOLE_GEO_PORT", 9104));
        services.put("svc-notify", env.integer("PINHOLE_NOTIFY_PORT", 9105));
        services.forEach((service, port) -> {
            final boolean replicated = Files.exists(state.resolve("pids").resolve(service + "-2.pid"));
            final String instance = replicated ? service + "-2" : service;
            final int instancePort = replicated ? port + 10 : port;
            faults.add(new Fault(instance, replicated, () -> pidIn(state.resolve("pids").resolve(instance + ".pid")),
                                 () -> grpcServing(instancePort)));
        });
        final URI redis = URI.create(env.string("PINHOLE_REDIS_URI", "redis://127.0.0.1:16379"));
        final String memcached = env.list("PINHOLE_MEMCACHED_SERVERS", List.of("127.0.0.1:21211")).get(0);
        final List<String> databases = env.list("PINHOLE_DB_SERVERS", List.of("127.0.0.1:15432", "127.0.0.1:15433"));
        final String database = databases.get(databases.size() - 1);
        faults.add(new Fault("memcached", false, () -> pidIn(state.resolve("run/memcached.pid")),
                             () -> answers(memcached, "version", "VERSION")));
        faults.add(new Fault("redis", false, () -> pidIn(state.resolve("run/redis.pid")),
                             () -> answers(redis.getHost() + ":" + redis.getPort(), "PING", "+PONG")));
        faults.add(new Fault("postgres-" + (databases.size() - 1), false,
                             () -> pidIn(state.resolve("postgres").resolve(Integer.toString(databases.size() - 1))
                                                .resolve("postmaster.pid")),
                             () -> postgresAnswers(database)));
        return faults;
    }

    /** Kills the fault's process with SIGKILL and watches until it serves again and requests stop failing. */
    private Map<String, Object> inject(Fault fault) throws Exception {
        final long pid = fault.pid().getAsLong();
        System.out.printf("fault suite: kill -9 %s (pid %d)%n", fault.name(), pid);
        final long killedAt = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException(fault.name() + " is not running"))
                     .destroyForcibly();
        long servingAt = -1;
        final long deadline = killedAt + MAX_RECOVERY.toNanos();
        while (System.nanoTime() < deadline) {
            if (servingAt < 0 && fault.pid().getAsLong() != pid && fault.serving().getAsBoolean()) {
                servingAt = System.nanoTime();
            }
            if (servingAt > 0 && System.nanoTime() - Math.max(servingAt, lastFailureSince(killedAt))
                                 > QUIET_TO_RECOVER.toNanos()
                && System.nanoTime() - killedAt > MIN_WINDOW.toNanos()) {
                break;
            }
            Thread.sleep(100); // polling a process we do not own: nothing notifies us
        }
        // The window: from the kill until the killed process serves again and requests have not failed for
        // QUIET_TO_RECOVER (that quiet stretch included: it is part of living through the fault), MIN_WINDOW at least.
        final long recoveredAt = System.nanoTime();
        final List<Outcome> window = outcomes.stream()
                .filter(o -> o.startedAt() >= killedAt && o.startedAt() <= recoveredAt).toList();
        final long steadyFailures = outcomes.stream()
                .filter(o -> o.failure() != null && o.startedAt() >= killedAt - STEADY.toNanos()
                             && o.startedAt() < killedAt).count();
        final long failed = window.stream().filter(o -> o.failure() != null).count();
        final Map<String, Long> failures = new java.util.TreeMap<>();
        window.stream().filter(o -> o.failure() != null)
              .forEach(o -> failures.merge(o.operation() + ":" + o.failure(), 1L, Long::sum));
        final long lastFailure = lastFailureSince(killedAt);
        final Map<String, Object> row = new LinkedHashMap<>();
        row.put("fault", "kill -9 " + fault.name());
        row.put("replicated", fault.replicated());
        row.put("requests", window.size());
        row.put("failed", failed);
        row.put("error_rate", window.isEmpty() ? 0.0 : (double) failed / window.size());
        row.put("serving_again_s", servingAt < 0 ? null : seconds(servingAt - killedAt));
        row.put("last_failure_after_s", lastFailure < 0 ? 0.0 : seconds(lastFailure - killedAt));
        row.put("failures", failures);
        row.put("failed_in_the_5_s_before", steadyFailures);
        System.out.printf("fault suite: %s → %d of %d requests failed %s; serving again after %s s%n",
                          fault.name(), failed, window.size(), failures, row.get("serving_again_s"));
        Thread.sleep(STEADY.toMillis()); // steady again before the next fault
        return row;
    }

    private long lastFailureSince(long since) {
        return outcomes.stream().filter(o -> o.failure() != null && o.startedAt() >= since)
                       .mapToLong(Outcome::startedAt).max().orElse(-1);
    }

    // --- checks --------------------------------------------------------------------------------------------------

    private Map<String, Object> verify(Map<String, Long> deadLettersBefore) throws Exception {
        final Map<String, Object> checks = new LinkedHashMap<>();
        int missingPosts = 0;
        for (Post post : posts) {
            final JsonNode media = gateway.execute(usersById.get(post.author()).token(),
                    "query M($id: ID!) { media(id: $id) { id } }", Map.of("id", Long.toString(post.mediaId())));
            missingPosts += media.path("media").isNull() || media.path("media").isMissingNode() ? 1 : 0;
        }
        checks.put("posts acknowledged", posts.size());
        checks.put("posts missing", missingPosts);

        int missingLikes = 0;
        for (long[] like : likes) {
            missingLikes += gateway.execute(usersById.get(like[0]).token(),
                    "query M($id: ID!) { media(id: $id) { viewerHasLiked } }", Map.of("id", Long.toString(like[1])))
                    .path("media").path("viewerHasLiked").asBoolean() ? 0 : 1;
        }
        checks.put("likes acknowledged", likes.size());
        checks.put("likes missing", missingLikes);

        final Map<Long, Set<Long>> commentsByMedia = new LinkedHashMap<>();
        comments.forEach(c -> commentsByMedia.computeIfAbsent(c[1], m -> new HashSet<>()).add(c[0]));
        int missingComments = 0;
        for (Map.Entry<Long, Set<Long>> entry : commentsByMedia.entrySet()) {
            final Set<Long> found = new HashSet<>();
            String after = null;
            do {
                final Map<String, Object> variables = new LinkedHashMap<>();
                variables.put("id", Long.toString(entry.getKey()));
                variables.put("after", after);
                final JsonNode page = gateway.execute(users.get(0).token(), """
                        query C($id: ID!, $after: String) { media(id: $id) { comments(first: 50, after: $after) {
                          edges { node { id } } pageInfo { hasNextPage endCursor } } } }""", variables)
                        .path("media").path("comments");
                page.path("edges").forEach(edge -> found.add(edge.path("node").path("id").asLong()));
                after = page.path("pageInfo").path("hasNextPage").asBoolean()
                        ? page.path("pageInfo").path("endCursor").asText() : null;
            } while (after != null);
            missingComments += (int) entry.getValue().stream().filter(id -> !found.contains(id)).count();
        }
        checks.put("comments acknowledged", comments.size());
        checks.put("comments missing", missingComments);

        int missingFollows = 0;
        for (Follow follow : follows) {
            missingFollows += gateway.execute(usersById.get(follow.follower()).token(),
                    "query U($name: String!) { user(username: $name) { viewerFollows } }",
                    Map.of("name", usersById.get(follow.followee()).username()))
                    .path("user").path("viewerFollows").asBoolean() ? 0 : 1;
        }
        checks.put("follows acknowledged", follows.size());
        checks.put("follows missing", missingFollows);

        timelines(checks);
        final Map<String, Long> deadLettersAfter = deadLetters();
        final Map<String, Long> newDeadLetters = new LinkedHashMap<>();
        deadLettersAfter.forEach((stream, length) -> {
            final long added = length - deadLettersBefore.getOrDefault(stream, 0L);
            if (added != 0) {
                newDeadLetters.put(stream, added);
            }
        });
        checks.put("new dead letters", newDeadLetters);
        return checks;
    }

    /**
     * Every post reaches the timeline of each follower who followed its author before it was posted, exactly once.
     * Fan-out is asynchronous (and a fault delays it): wait up to a minute for the last ones.
     */
    private void timelines(Map<String, Object> checks) throws Exception {
        final Map<Long, Set<Long>> expected = new LinkedHashMap<>();
        for (Post post : posts) {
            for (Follow follow : follows) {
                if (follow.followee() == post.author() && follow.acknowledgedAt() < post.acknowledgedAt()) {
                    expected.computeIfAbsent(follow.follower(), f -> new HashSet<>()).add(post.mediaId());
                }
            }
        }
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long missing;
        long duplicates;
        do {
            missing = 0;
            duplicates = 0;
            for (Map.Entry<Long, Set<Long>> entry : expected.entrySet()) {
                final List<Long> timeline = readWholeFeed(usersById.get(entry.getKey()));
                duplicates += timeline.size() - new HashSet<>(timeline).size();
                missing += entry.getValue().stream().filter(id -> !timeline.contains(id)).count();
            }
            if (missing == 0 || duplicates > 0) {
                break;
            }
            Thread.sleep(1_000); // fan-out catching up after a fault; there is nothing to be notified by
        } while (System.nanoTime() < deadline);
        checks.put("timeline entries expected", expected.values().stream().mapToInt(Set::size).sum());
        checks.put("timeline entries missing", missing);
        checks.put("timeline entries duplicated", duplicates);
    }

    private List<Long> readWholeFeed(User user) throws Exception {
        final List<Long> ids = new ArrayList<>();
        String after = null;
        do {
            final Map<String, Object> variables = new LinkedHashMap<>();
            variables.put("after", after);
            final JsonNode feed = gateway.execute(user.token(), FEED, variables).path("feed");
            feed.path("edges").forEach(edge -> ids.add(edge.path("node").path("id").asLong()));
            after = feed.path("pageInfo").path("hasNextPage").asBoolean()
                    ? feed.path("pageInfo").path("endCursor").asText() : null;
        } while (after != null);
        return ids;
    }

    /** Every dead-letter stream ({@code <topic>:dead:<group>}) and its length. */
    private Map<String, Long> deadLetters() {
        final RedisClient client = RedisClients.create(env);
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            final Map<String, Long> lengths = new java.util.TreeMap<>();
            for (String key : redis.sync().keys("*:dead:*")) {
                lengths.put(key, redis.sync().xlen(key));
            }
            return lengths;
        } finally {
            client.shutdown();
        }
    }

    // --- the report ----------------------------------------------------------------------------------------------

    private Map<String, Object> summary(List<Map<String, Object>> table, Map<String, Object> checks, double seconds) {
        long steadyFailures = 0;
        long replicaRequests = 0;
        long replicaFailures = 0;
        final Set<String> codes = new java.util.TreeSet<>();
        for (Map<String, Object> row : table) {
            steadyFailures += ((Number) row.get("failed_in_the_5_s_before")).longValue();
            if ((boolean) row.get("replicated")) {
                replicaRequests += ((Number) row.get("requests")).longValue();
                replicaFailures += ((Number) row.get("failed")).longValue();
            }
            @SuppressWarnings("unchecked")
            final Map<String, Long> failures = (Map<String, Long>) row.get("failures");
            failures.keySet().forEach(key -> codes.add(key.substring(key.indexOf(':') + 1)));
        }
        final List<String> failedBecause = new ArrayList<>();
        final double replicaRate = replicaRequests == 0 ? 0 : (double) replicaFailures / replicaRequests;
        if (replicaRate > REPLICA_KILL_MAX_FAILURE_RATE) {
            failedBecause.add(String.format("killing a replica failed %.3f %% of requests (limit 0.1 %%)",
                                            replicaRate * 100));
        }
        codes.stream().filter(code -> !code.equals("UNAVAILABLE"))
             .forEach(code -> failedBecause.add("a request failed with " + code));
        checks.forEach((check, value) -> {
            if ((check.endsWith("missing") || check.endsWith("duplicated")) && ((Number) value).longValue() != 0) {
                failedBecause.add(check + ": " + value);
            }
        });
        if (!((Map<?, ?>) checks.get("new dead letters")).isEmpty()) {
            failedBecause.add("new dead letters: " + checks.get("new dead letters"));
        }
        final Map<String, Object> report = new LinkedHashMap<>();
        report.put("rate_per_second", RATE_PER_SECOND);
        report.put("requests", outcomes.size());
        // Reported, not judged: a request that failed with nothing killed says the machine was too busy for the
        // load (other builds running), which the table shows beside each fault.
        report.put("failed_with_nothing_killed", steadyFailures);
        report.put("replica_kills", Map.of("requests", replicaRequests, "failed", replicaFailures,
                                           "error_rate", replicaRate));
        report.put("faults", table);
        report.put("checks", checks);
        report.put("seconds", seconds);
        report.put("passed", failedBecause.isEmpty());
        report.put("failed_because", failedBecause);
        return report;
    }

    private static void print(List<Map<String, Object>> table, Map<String, Object> checks) {
        System.out.printf("%n| fault | failed before it | requests | failed | error rate | serving again | last failure "
                          + "| failures |%n");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Map<String, Object> row : table) {
            System.out.printf("| %s | %s | %s | %s | %.2f %% | %s s | %.1f s | %s |%n", row.get("fault"),
                              row.get("failed_in_the_5_s_before"), row.get("requests"),
                              row.get("failed"), 100 * (double) row.get("error_rate"), row.get("serving_again_s"),
                              (double) row.get("last_failure_after_s"), row.get("failures"));
        }
        System.out.println();
        checks.forEach((check, value) -> System.out.printf("  %-28s %s%n", check, value));
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e8) / 10.0;
    }

    // --- probes --------------------------------------------------------------------------------------------------

    private static long pidIn(Path file) {
        try {
            return Long.parseLong(Files.readAllLines(file, StandardCharsets.UTF_8).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1; // not written yet: the process is being started again
        }
    }

    private boolean grpcServing(int port) {
        try {
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/grpc.health.v1.Health/Check"))
                    .timeout(Duration.ofSeconds(1)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            return response.body().contains("\"SERVING\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Sends one line to a text-protocol server (Redis inline, memcached) and checks the answer's start. */
    private static boolean answers(String hostPort, String command, String expected) {
        final int colon = hostPort.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(hostPort.substring(0, colon),
                                                 Integer.parseInt(hostPort.substring(colon + 1))), 1_000);
            socket.setSoTimeout(1_000);
            socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            final byte[] answer = new byte[64];
            final int read = socket.getInputStream().read(answer);
            return read > 0 && new String(answer, 0, read, StandardCharsets.US_ASCII).startsWith(expected);
        } catch (IOException e) {
            return false;
        }
    }

    private boolean postgresAnswers(String hostPort) {
        try (var connection = DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/postgres?connectTimeout=1",
                env.string("PINHOLE_DB_USER", "postgres"), env.string("PINHOLE_DB_PASSWORD", "postgres"))) {
            return connection.isValid(1);
        } catch (java.sql.SQLException e) {
            return false;
        }
    }
}
