package io.pinhole.devstack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The PostgreSQL physical servers of a devstack (two by default), in shard-map order: server {@code i} of the shard
 * map is {@code servers().get(i)}. Each service keeps one database on every server, with one schema per logical shard.
 */
public final class PostgresCluster {

    private final List<PostgresServer> servers;

    private PostgresCluster(List<PostgresServer> servers) {
        this.servers = List.copyOf(servers);
    }

    /** Starts every server, in parallel (initdb dominates a first start). */
    static PostgresCluster start(DevstackContext context) {
        final List<Integer> ports = context.config().postgresPorts();
        final List<PostgresServer> servers = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            servers.add(new PostgresServer(context, i, Ports.orFree(ports.get(i))));
        }
        final PostgresCluster cluster = new PostgresCluster(servers);
        try {
            Parallel.run(servers.stream().<Runnable>map(server -> server::start).toList());
        } catch (RuntimeException e) {
            cluster.stop();
            throw e;
        }
        return cluster;
    }

    /** The physical servers, in shard-map order. */
    public List<PostgresServer> servers() {
        return servers;
    }

    /** Server {@code index} of the shard map. */
    public PostgresServer server(int index) {
        return servers.get(index);
    }

    /** Creates {@code name} on every server unless it exists there. */
    public void createDatabase(String name) {
        servers.forEach(server -> server.createDatabase(name));
    }

    /** {@code host:port} of every server, in order. */
    public List<String> addresses() {
        return servers.stream().map(PostgresServer::address).toList();
    }

    public String user() {
        return servers.get(0).user();
    }

    public String password() {
        return servers.get(0).password();
    }

    /** {@code PINHOLE_DB_SERVERS}, {@code PINHOLE_DB_USER} and {@code PINHOLE_DB_PASSWORD}. */
    public Map<String, String> environment() {
        final Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PINHOLE_DB_SERVERS", servers.stream().map(PostgresServer::address)
                .collect(Collectors.joining(",")));
        environment.put("PINHOLE_DB_USER", user());
        environment.put("PINHOLE_DB_PASSWORD", password());
        return environment;
    }

    /** Stops every server (in parallel); each can be started again. */
    void stop() {
        Parallel.run(servers.stream().<Runnable>map(server -> server::stop).toList());
    }

    @Override
    public String toString() {
        return "PostgresCluster" + servers;
    }
}
