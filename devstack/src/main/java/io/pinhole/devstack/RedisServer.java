package io.pinhole.devstack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Redis server (Debian's {@code redis-server}) run as a child process on loopback.
 *
 * <p>Tests run it without persistence. {@code ./pinhole up} ({@link DevstackConfig#durable()}) keeps an append-only
 * file under {@code <data>/redis}, so sessions and streams survive a restart of the stack.
 */
public final class RedisServer {

    private final DevstackContext context;
    private final int port;
    private final Path dir;
    private final ChildProcess process;

    private RedisServer(DevstackContext context, int port) {
        this.context = context;
        this.port = port;
        this.dir = context.dataDir().resolve("redis");
        this.process = new ChildProcess(context, "redis", command(), port, DevstackConfig.ENV_REDIS_PORT, false,
                Duration.ofSeconds(30));
    }

    static RedisServer start(DevstackContext context) {
        return Ports.startOn(context.config().redisPort(), port -> new RedisServer(context, port), RedisServer::start);
    }

    private List<String> command() {
        final List<String> command = new ArrayList<>(List.of(
                Binaries.require("redis-server", "redis-server").toString(),
                "--port", Integer.toString(port),
                "--bind", "127.0.0.1",
                "--daemonize", "no",
                "--dir", dir.toString(),
                "--save", ""));
        if (context.durable()) {
            // fsync every write: the outbox relay marks events sent once Redis acknowledged them (ADR 0005).
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        return command;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}, as in {@code PINHOLE_REDIS_URI}. */
    public String uri() {
        return "redis://" + host() + ":" + port;
    }

    /** {@code PINHOLE_REDIS_URI}. */
    public Map<String, String> environment() {
        return Map.of("PINHOLE_REDIS_URI", uri());
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Starts the server on {@link #port()} again (with its data when durable). Idempotent. */
    public void start() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        process.start(this::answersPing);
    }

    /** Stops the server (SIGTERM: Redis flushes its append-only file first). Idempotent. */
    public void stop() {
        process.stop();
    }

    long pid() {
        return process.pid();
    }

    /** PONG, not merely an open port: Redis answers LOADING while it replays its append-only file. */
    private boolean answersPing() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host(), port), 1000);
            socket.setSoTimeout(1000);
            final OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String reply = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return "+PONG".equals(reply);
        }
    }

    @Override
    public String toString() {
        return "RedisServer[" + uri() + (isRunning() ? "" : " stopped") + "]";
    }
}
