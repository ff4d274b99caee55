package io.pinhole.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A standalone Solr 9 node, run in its own JVM by {@code devstack/solr-runner} (Solr's Jetty 10, log4j, Lucene and
 * ZooKeeper stay off the services' classpath). Its home is {@code <data>/solr} and it ships the configset
 * {@code pinhole_default} (id, _version_, string, plong, pdate, text_general, text_prefix, location and friends).
 *
 * <p>A service creates its core over HTTP with CoreAdmin,
 * {@code GET /solr/admin/cores?action=CREATE&name=NAME&configSet=pinhole_default}, then adds its fields with the Schema
 * API; each core gets its own copy of the configset, so schema changes never leak between cores.
 */
public final class SolrServer {

    /** The configset every core should be created from. */
    public static final String DEFAULT_CONFIGSET = "pinhole_default";

    private final int port;
    private final Path home;
    private final Path readyFile;
    private final ChildProcess process;

    private SolrServer(DevstackContext context, int port) {
        this.port = port;
        this.home = context.dataDir().resolve("solr");
        this.readyFile = context.runDir().resolve("solr.ready");
        final String softCommitMs = context.durable() ? "1000" : "200";
        this.process = new ChildProcess(context, "solr", JavaRunner.command("devstack/solr-runner",
                "io.pinhole.devstack.solr.SolrRunnerMain",
                List.of("-Xms64m", "-Xmx512m",
                        "-Dsolr.log.dir=" + context.logDir(),
                        "-Dsolr.install.dir=" + home,
                        // Documents become visible this long after they are indexed, without an explicit commit.
                        "-Dsolr.autoSoftCommit.maxTime=" + softCommitMs),
                List.of("--port", Integer.toString(port), "--home", home.toString(),
                        "--ready-file", readyFile.toString())),
                port, DevstackConfig.ENV_SOLR_PORT, true, Duration.ofSeconds(90));
    }

    static SolrServer start(DevstackContext context) {
        return Ports.startOn(context.config().solrPort(), port -> new SolrServer(context, port), SolrServer::start);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT/solr}, as in {@code PINHOLE_SOLR_URL}; cores are under {@code baseUrl()/NAME}. */
    public String baseUrl() {
        return "http://" + host() + ":" + port + "/solr";
    }

    /** {@code PINHOLE_SOLR_URL}. */
    public Map<String, String> environment() {
        return Map.of("PINHOLE_SOLR_URL", baseUrl());
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Starts Solr on {@link #port()} again; returns once its existing cores are loaded. Idempotent. */
    public void start() {
        if (process.isAlive()) {
            return;
        }
        // Jetty answers before the cores have loaded ("SolrCore is loading", 503): the runner writes this file
        // only when they have.
        try {
            Files.deleteIfExists(readyFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        process.start(() -> Files.exists(readyFile)
                && Http.status(URI.create(baseUrl() + "/admin/info/system?wt=json")) == 200);
    }

    /** Stops Solr (its JVM stops Jetty and the cores, then exits). Idempotent. */
    public void stop() {
        process.stop();
        try {
            Files.deleteIfExists(readyFile);
        } catch (IOException ignored) {
            // deleted again before the next start
        }
    }

    long pid() {
        return process.pid();
    }

    Path home() {
        return home;
    }

    @Override
    public String toString() {
        return "SolrServer[" + baseUrl() + (isRunning() ? "" : " stopped") + "]";
    }
}
