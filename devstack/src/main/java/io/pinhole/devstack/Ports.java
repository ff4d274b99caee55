package io.pinhole.devstack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Loopback ports: a free one for tests, and a clear failure when a fixed one is taken.
 *
 * <p>Free ports are drawn at random <em>below</em> the kernel's ephemeral range rather than with
 * {@code new ServerSocket(0)}. Between choosing a port and the server binding it, a starting devstack opens hundreds
 * of outgoing connections (readiness polls, JDBC), each on an ephemeral local port: a port taken from that range can
 * be grabbed as one of them in the meantime, and two components starting in parallel can even be handed the same
 * port. Below the range only listening sockets compete, and this JVM never hands out a port twice.
 */
final class Ports {

    private static final int LOWEST = 20000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    /** devstack's fixed defaults: a test must not take the port of a running ./pinhole up. */
    private static final Set<Integer> RESERVED = Set.of(21211);

    private Ports() {}

    /** A port nobody listens on right now and that this JVM has not handed out before. */
    static int free() {
        final int highest = ephemeralRangeStart() - 1;
        if (highest - LOWEST >= 1000) {
            for (int attempt = 0; attempt < 200; attempt++) {
                final int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
                if (!RESERVED.contains(port) && isFree(port) && HANDED_OUT.add(port)) {
                    return port;
                }
            }
        }
        // An unusual ephemeral range (or a crowded machine): let the kernel choose.
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on the loopback interface", e);
            }
        }
        throw new IllegalStateException("no free port on the loopback interface");
    }

    static int orFree(int port) {
        return port == 0 ? free() : port;
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void requireFree(int port, String what, String variable) {
        if (!isFree(port)) {
            throw new PortInUseException("port " + port + " for " + what + " is already in use (another devstack "
                    + "or ./pinhole up still running? `./pinhole down` stops it; or choose another port with "
                    + variable + ")");
        }
    }

    /** A port was taken by someone else. */
    static final class PortInUseException extends IllegalStateException {
        PortInUseException(String message) {
            super(message);
        }
    }

    /**
     * A server made by {@code create} for {@code configured} and started by {@code start}; when the port was ours to
     * choose (0) and another process bound it between the choice and the start (another JVM's devstack drawing from
     * the same range — test JVMs of parallel builds on one machine), a new port is chosen; a configured port fails at
     * once instead.
     */
    static <T> T startOn(int configured, IntFunction<T> create, Consumer<T> start) {
        for (int attempt = 1; ; attempt++) {
            final T server = create.apply(orFree(configured));
            try {
                start.accept(server);
                return server;
            } catch (PortInUseException e) {
                if (configured != 0 || attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private static int ephemeralRangeStart() {
        // Read as a stream: procfs reports a size of 0 and Files.readString/readAllBytes return a truncated "3" here.
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"),
                                                             StandardCharsets.US_ASCII)) {
            return Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768; // Linux's default
        }
    }
}
