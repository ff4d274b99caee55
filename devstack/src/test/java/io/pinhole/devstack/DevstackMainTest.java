package io.pinhole.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DevstackMainTest {

    @Test
    void envFile_isSourceableByBash() throws Exception {
        final Path file = Files.createTempDirectory(Path.of("target"), "envfile-").resolve("devstack.env");
        final Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PINHOLE_DB_SERVERS", "127.0.0.1:15432,127.0.0.1:15433");
        environment.put("PINHOLE_SOLR_URL", "http://127.0.0.1:18983/solr");

        DevstackMain.writeEnvFile(file, environment);

        final Process bash = new ProcessBuilder("bash", "-c",
                "set -a; . \"$1\"; set +a; env | grep ^PINHOLE_ | sort", "bash", file.toString())
                .redirectErrorStream(true).start();
        final String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor()).isZero();
        assertThat(output.lines()).containsExactly("PINHOLE_DB_SERVERS=127.0.0.1:15432,127.0.0.1:15433",
                "PINHOLE_SOLR_URL=http://127.0.0.1:18983/solr");
        assertThat(file.resolveSibling("devstack.env.partial")).doesNotExist();
    }

    @Test
    void options_default_toDotPinhole_theFiveServiceDatabases_andTheMediaBucket() {
        final DevstackMain.Options options = DevstackMain.Options.parse();

        assertThat(options.dataDir).isEqualTo(Path.of(".pinhole").toAbsolutePath());
        assertThat(options.envFile).isEqualTo(Path.of(".pinhole", "devstack.env").toAbsolutePath());
        assertThat(options.databases).containsExactly("pinhole_identity", "pinhole_media", "pinhole_feed",
                "pinhole_geo", "pinhole_notify");
        assertThat(options.bucket).isEqualTo("pinhole-media");
    }

    /**
     * What ./pinhole up does: run DevstackMain, wait for the env file; kill -9 servers (the fault suite does), expect
     * them back with their data; SIGTERM it, expect nothing left running.
     */
    @Test
    void main_writesTheEnvFileWhenReady_restartsAKilledServerWithItsData_andSigterm_stopsEveryServer() throws Exception {
        final Path dataDir = Files.createTempDirectory(Path.of("target"), "devstack-main-");
        final Path envFile = dataDir.resolve("devstack.env");
        final ProcessBuilder builder = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                DevstackMain.class.getName(),
                "--data-dir", dataDir.toString(), "--databases", "pinhole_a,pinhole_b", "--bucket", "main-test")
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("main.out").toFile());
        final int pgPort = Ports.free();
        builder.environment().putAll(Map.of(
                "PINHOLE_PG_PORTS", Integer.toString(pgPort),
                "PINHOLE_REDIS_PORT", Integer.toString(Ports.free()),
                "PINHOLE_MEMCACHED_PORT", Integer.toString(Ports.free()),
                "PINHOLE_SOLR_PORT", Integer.toString(Ports.free()),
                "PINHOLE_S3_PORT", Integer.toString(Ports.free())));
        final Process main = builder.start();
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                    .until(() -> Files.exists(envFile) || !main.isAlive());
            assertThat(main.isAlive()).as("DevstackMain is running; output:%n%s", output(dataDir)).isTrue();

            final Map<String, String> environment = readEnvFile(envFile);
            assertThat(environment).containsEntry("PINHOLE_DB_SERVERS", "127.0.0.1:" + pgPort)
                    .containsEntry("PINHOLE_S3_BUCKET", "main-test")
                    .containsKeys("PINHOLE_REDIS_URI", "PINHOLE_MEMCACHED_SERVERS", "PINHOLE_SOLR_URL",
                            "PINHOLE_S3_ENDPOINT", "PINHOLE_S3_REGION", "PINHOLE_S3_ACCESS_KEY",
                            "PINHOLE_S3_SECRET_KEY", "PINHOLE_DB_USER", "PINHOLE_DB_PASSWORD");
            assertThat(output(dataDir)).contains("devstack ready");
            assertThat(dataDir.resolve("s3/main-test")).isDirectory();

            // kill -9 of a server: DevstackMain starts it again on its port, and what was written is still there.
            final int redisPort = Integer.parseInt(environment.get("PINHOLE_REDIS_URI").replaceAll(".*:", ""));
            assertThat(redis(redisPort, "SET survivor yes")).isEqualTo("+OK");
            try (var connection = java.sql.DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:" + pgPort + "/pinhole_a", "postgres", "postgres");
                 var statement = connection.createStatement()) {
                statement.execute("CREATE TABLE survivors (name text); INSERT INTO survivors VALUES ('committed')");
            }
            final ProcessHandle redis = main.descendants()
                    // Debian's redis-server is a link to redis-check-rdb, which the process reports as its command
                    .filter(p -> p.info().command().orElse("").matches(".*/redis-(server|check-rdb)"))
                    .findFirst().orElseThrow();
            redis.destroyForcibly();
            postmaster(dataDir).destroyForcibly();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                assertThat(redis(redisPort, "GET survivor")).isEqualTo("$3");
                try (var connection = java.sql.DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + pgPort + "/pinhole_a", "postgres", "postgres");
                     var rows = connection.createStatement().executeQuery("SELECT name FROM survivors")) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getString(1)).isEqualTo("committed");
                }
            });
            assertThat(main.isAlive()).isTrue();
            assertThat(output(dataDir)).contains("redis exited unexpectedly; starting it again",
                                                 "postgres-0 exited unexpectedly; starting it again");

            final List<ProcessHandle> servers = new ArrayList<>(main.descendants().toList());
            servers.add(postmaster(dataDir));
            assertThat(servers).hasSize(5); // redis, memcached, the Solr and S3 runner JVMs, the postmaster

            main.destroy(); // SIGTERM, as ./pinhole down and Ctrl-C in ./pinhole up send
            assertThat(main.waitFor(60, TimeUnit.SECONDS)).as("DevstackMain exits").isTrue();

            // (An exited postmaster may linger as a zombie until init reaps it: that is not running.)
            assertThat(servers).allSatisfy(server -> assertThat(ChildProcess.isRunning(server))
                    .as("pid %d", server.pid()).isFalse());
            assertThat(envFile).doesNotExist();
        } finally {
            main.destroyForcibly();
        }
        // The stack was durable (as for ./pinhole up): drop its data, keep its logs and output for post-mortems.
        for (String data : List.of("postgres", "redis", "s3", "solr", "run")) {
            deleteRecursively(dataDir.resolve(data));
        }
    }

    private static ProcessHandle postmaster(Path dataDir) throws IOException {
        final long pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/0/postmaster.pid")).get(0).trim());
        return ProcessHandle.of(pid).orElseThrow();
    }

    /** One command in Redis's inline protocol; the first line of the answer. */
    private static String redis(int port, String command) throws IOException {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2_000);
            socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (Files.notExists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static Map<String, String> readEnvFile(Path file) throws IOException {
        final Map<String, String> environment = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.startsWith("#") && line.contains("=")) {
                environment.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return environment;
    }

    private static String output(Path dataDir) throws IOException {
        return Files.readString(dataDir.resolve("main.out"));
    }
}
