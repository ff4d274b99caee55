package io.pinhole.devstack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A memcached server (Debian's {@code memcached}, 64 MB, TCP only) run as a child process on loopback. */
public final class MemcachedServer {

    private final int port;
    private final ChildProcess process;

    private MemcachedServer(DevstackContext context, int port) {
        this.port = port;
        this.process = new ChildProcess(context, "memcached", List.of(
                Binaries.require("memcached", "memcached").toString(),
                "-l", "127.0.0.1",
                "-p", Integer.toString(port),
                "-U", "0",
                "-m", "64",
                // memcached refuses to run as root without -u; as any other user -u is ignored.
                "-u", "nobody"),
                port, DevstackConfig.ENV_MEMCACHED_PORT, false, Duration.ofSeconds(30));
    }

    static MemcachedServer start(DevstackContext context) {
        return Ports.startOn(context.config().memcachedPort(), port -> new MemcachedServer(context, port), MemcachedServer::start);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}, as in {@code PINHOLE_MEMCACHED_SERVERS} (a comma-separated list of one). */
    public String servers() {
        return host() + ":" + port;
    }

    /** {@code PINHOLE_MEMCACHED_SERVERS}. */
    public Map<String, String> environment() {
        return Map.of("PINHOLE_MEMCACHED_SERVERS", servers());
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Starts the server on {@link #port()} again (empty: memcached keeps nothing). Idempotent. */
    public void start() {
        process.start(this::answersVersion);
    }

    /** Stops the server. Idempotent. */
    public void stop() {
        process.stop();
    }

    long pid() {
        return process.pid();
    }

    private boolean answersVersion() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host(), port), 1000);
            socket.setSoTimeout(1000);
            final OutputStream out = socket.getOutputStream();
            out.write("version\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String reply = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return reply != null && reply.startsWith("VERSION ");
        }
    }

    @Override
    public String toString() {
        return "MemcachedServer[" + servers() + (isRunning() ? "" : " stopped") + "]";
    }
}
