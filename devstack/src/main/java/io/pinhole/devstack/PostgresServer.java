package io.pinhole.devstack;

import static java.util.Objects.requireNonNull;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL 17 physical server (zonky's binaries from Maven, run with {@code pg_ctl}), on a fixed port with its
 * data directory under {@code <data>/postgres/<index>}.
 *
 * <p>Authentication is {@code trust} and the server listens on loopback only: {@link #user()} is the superuser and any
 * password is accepted ({@link #password()} is what the services are configured with). {@link #stop()} and
 * {@link #start()} restart it on the same port with the same data, for fault-injection tests.
 */
public final class PostgresServer {

    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final String USER = "postgres";
    private static final String PASSWORD = "postgres";

    private final DevstackContext context;
    private final int index;
    private final int port;
    private final Path dataDir;
    private final Path logFile;
    private EmbeddedPostgres postgres;

    PostgresServer(DevstackContext context, int index, int port) {
        this.context = context;
        this.index = index;
        this.port = port;
        this.dataDir = context.dataDir().resolve("postgres").resolve(Integer.toString(index));
        this.logFile = context.logDir().resolve("postgres-" + index + ".log");
    }

    /** Position of this server in {@link PostgresCluster#servers()} (the physical server number of the shard map). */
    public int index() {
        return index;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** {@code host:port}, as in {@code PINHOLE_DB_SERVERS}. */
    public String address() {
        return host() + ":" + port;
    }

    /** The superuser. */
    public String user() {
        return USER;
    }

    /** Accepted but not checked (trust authentication on loopback). */
    public String password() {
        return PASSWORD;
    }

    /** A JDBC URL for {@code database} on this server, without credentials. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + address() + "/" + requireNonNull(database, "database");
    }

    /** A new connection to {@code database} as {@link #user()}; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user(), password());
    }

    /**
     * Creates {@code name} unless it exists (also when another caller creates it at the same moment).
     *
     * @param name a lower-case SQL identifier ({@code [a-z_][a-z0-9_]*}, at most 63 characters)
     */
    public void createDatabase(String name) {
        requireNonNull(name, "name");
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database name must match " + DATABASE_NAME + ", was '" + name + "'");
        }
        try (Connection connection = connect("postgres")) {
            try (PreparedStatement exists = connection.prepareStatement(
                    "SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, name);
                try (ResultSet rows = exists.executeQuery()) {
                    if (rows.next()) {
                        return;
                    }
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE \"" + name + "\"");
            }
        } catch (SQLException e) {
            if ("42P04".equals(e.getSQLState())) { // duplicate_database: created concurrently, which is fine
                return;
            }
            throw new IllegalStateException("could not create database " + name + " on " + address(), e);
        }
    }

    /** Whether the server is running (started and not stopped). */
    public synchronized boolean isRunning() {
        return postgres != null;
    }

    /** Starts the server on {@link #port()} with its existing data (initialised on first start). Idempotent. */
    public synchronized void start() {
        context.ensureOpen();
        if (postgres != null) {
            return;
        }
        final long started = System.nanoTime();
        try {
            Files.createDirectories(dataDir);
            Files.createDirectories(logFile.getParent());
            stopStalePostmaster();
            Ports.requireFree(port, "PostgreSQL server " + index, DevstackConfig.ENV_PG_PORTS);
            final EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    // One hook for the whole devstack closes every server in order (Devstack#close).
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            settings(context.durable()).forEach(builder::setServerConfig);
            postgres = builder.start();
            log.info("postgres-{} ready on {} in {} ms (data {})", index, address(),
                    (System.nanoTime() - started) / 1_000_000, dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PostgreSQL server " + index + " on port " + port
                    + "; log " + logFile + " ends with:\n" + ChildProcess.tail(logFile), e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("could not start PostgreSQL server " + index + " on port " + port
                    + "; log " + logFile + " ends with:\n" + ChildProcess.tail(logFile), e);
        }
    }

    /** Stops the server (fast shutdown: open sessions are ended); data and port are kept for {@link #start()}. */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        final OptionalLong postmaster = postmasterPid();
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("postgres-{}: error while stopping", index, e);
        } finally {
            postgres = null;
        }
        // pg_ctl returns when postmaster.pid is gone, a moment before the process is; and it gives up after 5 s.
        // Either way, be sure the postmaster has exited before anyone reuses the port or the data directory.
        postmaster.ifPresent(pid -> ProcessHandle.of(pid).ifPresent(handle -> {
            if (!ChildProcess.awaitExit(handle, Duration.ofSeconds(15))) {
                ChildProcess.terminate(handle, Duration.ofSeconds(5));
            }
        }));
        log.info("postgres-{} stopped", index);
    }

    /** Started, but its postmaster is gone (killed, crashed): {@link #restartAfterCrash()} brings it back. */
    public synchronized boolean crashed() {
        if (postgres == null) {
            return false;
        }
        final OptionalLong pid = postmasterPid();
        return pid.isEmpty() || ProcessHandle.of(pid.getAsLong()).filter(ChildProcess::isRunning).isEmpty();
    }

    /**
     * Starts the server again after its postmaster died (kill -9): PostgreSQL replays its WAL, so every committed
     * transaction is back. The first attempts can fail while the dead postmaster's backends still hold its shared
     * memory (they exit as soon as they notice), so it is tried for up to 30 s.
     */
    public synchronized void restartAfterCrash() {
        if (postgres != null) {
            try {
                postgres.close(); // releases zonky's lock on the data directory; pg_ctl finds nothing to stop
            } catch (IOException | RuntimeException e) {
                log.debug("postgres-{}: closing after its crash", index, e);
            }
            postgres = null;
        }
        final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                start();
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                log.info("postgres-{} not restarted yet ({}); trying again", index, e.getMessage().lines().findFirst()
                        .orElse(""));
                try {
                    Thread.sleep(500); // waiting for the old backends to exit; nothing to be notified by
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** The postmaster's PID while it runs (it is not our child: pg_ctl detaches it). */
    OptionalLong postmasterPid() {
        final Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            if (Files.exists(pidFile)) {
                final String first = Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim();
                return OptionalLong.of(Long.parseLong(first));
            }
        } catch (IOException | RuntimeException e) {
            log.debug("unreadable {}", pidFile, e);
        }
        return OptionalLong.empty();
    }

    Path dataDir() {
        return dataDir;
    }

    /** Server settings: many connections for sharded pools; durability only where data must survive. */
    static Map<String, String> settings(boolean durable) {
        final Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listen_addresses", "localhost");
        // TCP only: no socket files in /tmp to go stale, and no path-length limit on deep data directories.
        settings.put("unix_socket_directories", "");
        settings.put("max_connections", "300");
        settings.put("timezone", "UTC");
        // Moving a logical shard between servers copies and catches it up with logical replication (ADR 0009): a move
        // takes one slot and one WAL sender for its subscription plus one per table being synchronised (at most
        // max_sync_workers_per_subscription = 2 at a time); 20 leaves room for a move per service database at once.
        settings.put("wal_level", "logical");
        settings.put("max_replication_slots", "20");
        settings.put("max_wal_senders", "20");
        if (durable) {
            // zonky always passes -F (fsync off); a later -c wins.
            settings.put("fsync", "on");
            settings.put("synchronous_commit", "on");
            settings.put("full_page_writes", "on");
        } else {
            settings.put("fsync", "off");
            settings.put("synchronous_commit", "off");
            settings.put("full_page_writes", "off");
        }
        return settings;
    }

    /**
     * A postmaster left running on our data directory by a devstack that was killed with SIGKILL would make this start
     * fail ("lock file already exists"). If no live devstack holds the directory, stop that postmaster first.
     */
    private void stopStalePostmaster() throws IOException {
        final OptionalLong pid = postmasterPid();
        if (pid.isEmpty()) {
            return;
        }
        final Path lockFile = dataDir.resolve("epg-lock");
        try (FileOutputStream stream = new FileOutputStream(lockFile.toFile());
             FileLock lock = stream.getChannel().tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("PostgreSQL data directory " + dataDir
                        + " is in use by another running devstack");
            }
            ProcessHandle.of(pid.getAsLong())
                    .filter(ChildProcess::isRunning)
                    .filter(handle -> handle.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                    .ifPresent(stale -> {
                        log.warn("stopping postgres-{} left over from an earlier run (pid {})", index, stale.pid());
                        // SIGINT is PostgreSQL's "fast shutdown"; SIGTERM would wait for clients that may never leave.
                        signal(stale.pid(), "INT");
                        if (!ChildProcess.awaitExit(stale, Duration.ofSeconds(15))) {
                            ChildProcess.terminate(stale, Duration.ofSeconds(5));
                        }
                    });
        } catch (java.nio.channels.OverlappingFileLockException e) {
            throw new IllegalStateException("PostgreSQL data directory " + dataDir + " is in use in this JVM", e);
        }
    }

    private static void signal(long pid, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "PostgresServer[" + index + " " + address() + (isRunning() ? "" : " stopped") + "]";
    }
}
