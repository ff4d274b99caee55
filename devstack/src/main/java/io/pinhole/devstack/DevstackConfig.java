package io.pinhole.devstack;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Where a {@link Devstack} keeps its data, on which ports its servers listen, and how careful they are with data.
 *
 * <p>Two presets: {@link #forTests()} (a fresh directory, free ports, speed over durability, data deleted on close)
 * and {@link #fromEnvironment(Path)} ({@code ./pinhole up}: fixed ports overridable by environment variables, data kept
 * between runs and written safely). Anything else through {@link #builder(Path)}. A port of 0 means "pick a free one".
 */
public final class DevstackConfig {

    /** Default ports of {@code ./pinhole up}; far from the standard ones so a system server never clashes. */
    public static final List<Integer> DEFAULT_POSTGRES_PORTS = List.of(15432, 15433);
    public static final int DEFAULT_REDIS_PORT = 16379;
    public static final int DEFAULT_MEMCACHED_PORT = 21211;
    public static final int DEFAULT_SOLR_PORT = 18983;
    public static final int DEFAULT_S3_PORT = 19000;

    /** Environment variables read by {@link #fromEnvironment(Path)}. */
    public static final String ENV_PG_PORTS = "PINHOLE_PG_PORTS";
    public static final String ENV_REDIS_PORT = "PINHOLE_REDIS_PORT";
    public static final String ENV_MEMCACHED_PORT = "PINHOLE_MEMCACHED_PORT";
    public static final String ENV_SOLR_PORT = "PINHOLE_SOLR_PORT";
    public static final String ENV_S3_PORT = "PINHOLE_S3_PORT";

    private final Path dataDir;
    private final List<Integer> postgresPorts;
    private final int redisPort;
    private final int memcachedPort;
    private final int solrPort;
    private final int s3Port;
    private final boolean durable;
    private final boolean deleteDataOnClose;

    private DevstackConfig(Builder builder) {
        this.dataDir = builder.dataDir.toAbsolutePath().normalize();
        this.postgresPorts = List.copyOf(builder.postgresPorts);
        this.redisPort = builder.redisPort;
        this.memcachedPort = builder.memcachedPort;
        this.solrPort = builder.solrPort;
        this.s3Port = builder.s3Port;
        this.durable = builder.durable;
        this.deleteDataOnClose = builder.deleteDataOnClose;
    }

    /**
     * For tests: a fresh directory ({@code target/devstack-*} when the working directory has a {@code target/}, as
     * under Maven, else under the system temp directory), free ports, two PostgreSQL servers, no fsync, no Redis
     * persistence; the data is deleted on close but the logs are kept.
     */
    public static DevstackConfig forTests() {
        return builder(freshTestDirectory()).durable(false).deleteDataOnClose(true).build();
    }

    /**
     * For {@code ./pinhole up}: data kept in {@code dataDir} between runs, written durably, and the fixed ports of
     * {@code PINHOLE_PG_PORTS} (default {@code 15432,15433}: one PostgreSQL server per port),
     * {@code PINHOLE_REDIS_PORT} (16379), {@code PINHOLE_MEMCACHED_PORT} (21211), {@code PINHOLE_SOLR_PORT} (18983)
     * and {@code PINHOLE_S3_PORT} (19000).
     */
    public static DevstackConfig fromEnvironment(Path dataDir) {
        return fromEnvironment(dataDir, System.getenv());
    }

    /** {@link #fromEnvironment(Path)} with the given variables instead of the process environment. */
    public static DevstackConfig fromEnvironment(Path dataDir, Map<String, String> environment) {
        requireNonNull(environment, "environment");
        final List<Integer> pgPorts = new ArrayList<>();
        final String pgSpec = environment.get(ENV_PG_PORTS);
        if (pgSpec == null || pgSpec.isBlank()) {
            pgPorts.addAll(DEFAULT_POSTGRES_PORTS);
        } else {
            for (String part : pgSpec.split(",")) {
                if (!part.isBlank()) {
                    pgPorts.add(port(ENV_PG_PORTS, part));
                }
            }
        }
        return builder(dataDir)
                .postgresPorts(pgPorts)
                .redisPort(port(environment, ENV_REDIS_PORT, DEFAULT_REDIS_PORT))
                .memcachedPort(port(environment, ENV_MEMCACHED_PORT, DEFAULT_MEMCACHED_PORT))
                .solrPort(port(environment, ENV_SOLR_PORT, DEFAULT_SOLR_PORT))
                .s3Port(port(environment, ENV_S3_PORT, DEFAULT_S3_PORT))
                .durable(true)
                .deleteDataOnClose(false)
                .build();
    }

    /** Everything explicit; defaults: two PostgreSQL servers, free ports, not durable, data kept. */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** The directory under which every server keeps its data, logs ({@code logs/}) and PID files ({@code run/}). */
    public Path dataDir() {
        return dataDir;
    }

    /** Number of PostgreSQL physical servers. */
    public int postgresServers() {
        return postgresPorts.size();
    }

    /** One entry per PostgreSQL server; 0 = a free port. */
    public List<Integer> postgresPorts() {
        return postgresPorts;
    }

    public int redisPort() {
        return redisPort;
    }

    public int memcachedPort() {
        return memcachedPort;
    }

    public int solrPort() {
        return solrPort;
    }

    public int s3Port() {
        return s3Port;
    }

    /**
     * Whether data must survive crashes and restarts: PostgreSQL with fsync and synchronous commit, Redis with an
     * append-only file. Off for tests, where speed matters and the data is thrown away.
     */
    public boolean durable() {
        return durable;
    }

    /** Whether {@link Devstack#close()} deletes the data directory (all but {@code logs/}). */
    public boolean deleteDataOnClose() {
        return deleteDataOnClose;
    }

    @Override
    public String toString() {
        return "DevstackConfig[dataDir=" + dataDir + ", postgresPorts=" + postgresPorts + ", redisPort=" + redisPort
                + ", memcachedPort=" + memcachedPort + ", solrPort=" + solrPort + ", s3Port=" + s3Port
                + ", durable=" + durable + ", deleteDataOnClose=" + deleteDataOnClose + "]";
    }

    private static int port(Map<String, String> environment, String variable, int defaultPort) {
        final String value = environment.get(variable);
        return value == null || value.isBlank() ? defaultPort : port(variable, value);
    }

    private static int port(String variable, String value) {
        try {
            final int port = Integer.parseInt(value.trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException("out of range");
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + " must be a TCP port (1-65535), was '" + value + "'");
        }
    }

    private static Path freshTestDirectory() {
        try {
            final Path target = Path.of("target");
            if (Files.isDirectory(target)) {
                return Files.createTempDirectory(target.toAbsolutePath(), "devstack-");
            }
            return Files.createTempDirectory("pinhole-devstack-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a data directory for devstack", e);
        }
    }

    private static void checkPort(int port, String what) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " must be 0 (free) or a TCP port, was " + port);
        }
    }

    /** Builds a {@link DevstackConfig}. */
    public static final class Builder {
        private final Path dataDir;
        private List<Integer> postgresPorts = List.of(0, 0);
        private int redisPort;
        private int memcachedPort;
        private int solrPort;
        private int s3Port;
        private boolean durable;
        private boolean deleteDataOnClose;

        private Builder(Path dataDir) {
            this.dataDir = requireNonNull(dataDir, "dataDir");
        }

        /** Number of PostgreSQL physical servers, each on a free port. */
        public Builder postgresServers(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("postgresServers must be at least 1, was " + count);
            }
            this.postgresPorts = Collections.nCopies(count, 0);
            return this;
        }

        /** One PostgreSQL server per port (0 = free); sets the number of servers too. */
        public Builder postgresPorts(List<Integer> ports) {
            requireNonNull(ports, "ports");
            if (ports.isEmpty()) {
                throw new IllegalArgumentException("at least one PostgreSQL port is needed");
            }
            ports.forEach(port -> checkPort(port, "a PostgreSQL port"));
            this.postgresPorts = List.copyOf(ports);
            return this;
        }

        public Builder redisPort(int port) {
            checkPort(port, "redisPort");
            this.redisPort = port;
            return this;
        }

        public Builder memcachedPort(int port) {
            checkPort(port, "memcachedPort");
            this.memcachedPort = port;
            return this;
        }

        public Builder solrPort(int port) {
            checkPort(port, "solrPort");
            this.solrPort = port;
            return this;
        }

        public Builder s3Port(int port) {
            checkPort(port, "s3Port");
            this.s3Port = port;
            return this;
        }

        /** See {@link DevstackConfig#durable()}. */
        public Builder durable(boolean durable) {
            this.durable = durable;
            return this;
        }

        /** See {@link DevstackConfig#deleteDataOnClose()}. */
        public Builder deleteDataOnClose(boolean deleteDataOnClose) {
            this.deleteDataOnClose = deleteDataOnClose;
            return this;
        }

        public DevstackConfig build() {
            return new DevstackConfig(this);
        }
    }
}
