package io.pinhole.devstack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The infrastructure half of {@code ./pinhole up}: starts every server on its fixed port, creates the databases and the
 * bucket, writes the services' environment to a file, prints {@code devstack ready}, and runs until SIGINT/SIGTERM,
 * when it stops everything.
 *
 * <pre>
 * DevstackMain [--data-dir DIR] [--env-file FILE] [--databases a,b,c] [--bucket NAME]
 * </pre>
 * Defaults: {@code .pinhole}, {@code <data-dir>/devstack.env}, the five services' databases, {@code pinhole-media}.
 * Ports come from {@code PINHOLE_PG_PORTS}, {@code PINHOLE_REDIS_PORT}, {@code PINHOLE_MEMCACHED_PORT},
 * {@code PINHOLE_SOLR_PORT} and {@code PINHOLE_S3_PORT} (see {@link DevstackConfig#fromEnvironment(Path)}).
 *
 * <p>The env file appears only once everything is ready (written atomically, so a waiting script never reads half of
 * it) and is deleted at shutdown. A server that dies on its own is started again on its port with its data; if that
 * fails, everything is stopped and the exit code is 1.
 */
public final class DevstackMain {

    static final List<String> DEFAULT_DATABASES =
            List.of("pinhole_identity", "pinhole_media", "pinhole_feed", "pinhole_geo", "pinhole_notify");

    private DevstackMain() {}

    public static void main(String[] args) {
        // Before anything touches SLF4J: quiet, one-line logging unless the caller chose a configuration.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "io/pinhole/devstack/logback-devstack.xml");
        }
        final Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("devstack: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(Options.USAGE);
            return;
        }

        final DevstackConfig config;
        try {
            config = DevstackConfig.fromEnvironment(options.dataDir);
        } catch (IllegalArgumentException e) {
            System.err.println("devstack: " + e.getMessage());
            System.exit(2);
            return;
        }
        final Devstack devstack = Devstack.create(config);
        final Map<String, String> environment;
        try {
            devstack.startAll();
            for (String database : options.databases) {
                devstack.postgres().createDatabase(database);
            }
            environment = devstack.environment(options.bucket);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(options.envFile), "devstack-env"));
            writeEnvFile(options.envFile, environment);
        } catch (RuntimeException e) {
            System.err.println("devstack: start-up failed: " + e.getMessage());
            e.printStackTrace();
            devstack.close();
            System.exit(1);
            return;
        }
        printReady(System.out, devstack, options, environment);

        // Nothing to do until a signal (the shutdown hooks stop everything) or a server dies on its own: then it is
        // started again on its port with its data (as systemd or a kubelet would), which is what the fault suite's
        // kill -9 exercises. A server that cannot be started again stops everything.
        while (true) {
            final String died;
            try {
                died = devstack.nextUnexpectedExit();
            } catch (InterruptedException e) {
                return;
            }
            if (devstack.isClosed()) {
                return;
            }
            final long started = System.nanoTime();
            System.err.println("devstack: " + died + " exited unexpectedly; starting it again");
            try {
                devstack.restart(died);
                System.err.printf("devstack: %s running again after %d ms%n", died,
                                  (System.nanoTime() - started) / 1_000_000);
            } catch (RuntimeException e) {
                if (devstack.isClosed()) {
                    return;
                }
                System.err.println("devstack: " + died + " could not be started again (" + e.getMessage()
                        + "; log: " + config.dataDir().resolve("logs").resolve(died + ".log") + "); stopping everything");
                System.exit(1);
            }
        }
    }

    /** {@code KEY=value} lines, sourceable by bash with {@code set -a}; values never need quoting. */
    static void writeEnvFile(Path file, Map<String, String> environment) {
        final StringBuilder text = new StringBuilder()
                .append("# Written by devstack (io.pinhole.devstack.DevstackMain) at ").append(Instant.now())
                .append("; deleted when it stops.\n")
                .append("# Load it with:  set -a; . ").append(file).append("; set +a\n");
        environment.forEach((key, value) -> {
            if (!value.matches("[A-Za-z0-9_.,:/@+=-]*")) {
                throw new IllegalArgumentException("value of " + key + " needs shell quoting: " + value);
            }
            text.append(key).append('=').append(value).append('\n');
        });
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            final Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Files.writeString(partial, text, StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("could not write " + file, e);
        }
    }

    private static void printReady(PrintStream out, Devstack devstack, Options options,
            Map<String, String> environment) {
        out.println("devstack ready");
        out.printf("  PostgreSQL  %s  (user %s; databases %s)%n", String.join(", ", devstack.postgres().addresses()),
                devstack.postgres().user(), String.join(",", options.databases));
        out.printf("  Redis       %s%n", devstack.redis().uri());
        out.printf("  memcached   %s%n", devstack.memcached().servers());
        out.printf("  Solr        %s/  (configset %s)%n", devstack.solr().baseUrl(), SolrServer.DEFAULT_CONFIGSET);
        out.printf("  S3          %s  (bucket %s, region %s, key %s)%n", devstack.s3().endpoint(), options.bucket,
                devstack.s3().region(), devstack.s3().accessKey());
        out.printf("  env file    %s  (%d variables)%n", options.envFile, environment.size());
        out.printf("  data        %s  (logs in %s)%n", devstack.config().dataDir(),
                devstack.config().dataDir().resolve("logs"));
        out.flush();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // nothing to do at shutdown
        }
    }

    /** Command-line options. */
    static final class Options {
        static final String USAGE = """
                usage: DevstackMain [--data-dir DIR] [--env-file FILE] [--databases a,b,c] [--bucket NAME]
                  --data-dir   where every server keeps its data and logs (default .pinhole)
                  --env-file   where to write the services' variables once ready (default <data-dir>/devstack.env)
                  --databases  databases to create on every PostgreSQL server
                               (default pinhole_identity,pinhole_media,pinhole_feed,pinhole_geo,pinhole_notify)
                  --bucket     S3 bucket to create (default pinhole-media)
                ports: PINHOLE_PG_PORTS (15432,15433) PINHOLE_REDIS_PORT (16379) PINHOLE_MEMCACHED_PORT (21211)
                       PINHOLE_SOLR_PORT (18983) PINHOLE_S3_PORT (19000)""";

        final Path dataDir;
        final Path envFile;
        final List<String> databases;
        final String bucket;

        private Options(Path dataDir, Path envFile, List<String> databases, String bucket) {
            this.dataDir = dataDir;
            this.envFile = envFile;
            this.databases = databases;
            this.bucket = bucket;
        }

        /** The options, or null for {@code --help}. */
        static Options parse(String... args) {
            Path dataDir = Path.of(".pinhole");
            Path envFile = null;
            List<String> databases = DEFAULT_DATABASES;
            String bucket = Devstack.DEFAULT_BUCKET;
            for (int i = 0; i < args.length; i++) {
                final String arg = args[i];
                switch (arg) {
                    case "--help", "-h" -> {
                        return null;
                    }
                    case "--data-dir" -> dataDir = Path.of(value(args, ++i, arg));
                    case "--env-file" -> envFile = Path.of(value(args, ++i, arg));
                    case "--databases" -> databases = Arrays.stream(value(args, ++i, arg).split(","))
                            .map(String::trim).filter(name -> !name.isEmpty()).toList();
                    case "--bucket" -> bucket = value(args, ++i, arg);
                    default -> throw new IllegalArgumentException("unknown argument: " + arg);
                }
            }
            dataDir = dataDir.toAbsolutePath().normalize();
            envFile = envFile == null ? dataDir.resolve("devstack.env") : envFile.toAbsolutePath().normalize();
            return new Options(dataDir, envFile, databases, bucket);
        }

        private static String value(String[] args, int index, String option) {
            if (index >= args.length || args[index].startsWith("--")) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[index];
        }
    }
}
