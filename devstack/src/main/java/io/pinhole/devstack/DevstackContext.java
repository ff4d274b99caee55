package io.pinhole.devstack;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/** What every component of one {@link Devstack} shares: the configuration, directories and its live children. */
final class DevstackContext {

    private final DevstackConfig config;
    private final Set<ChildProcess> live = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<String> unexpectedExits = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    DevstackContext(DevstackConfig config) {
        this.config = config;
    }

    DevstackConfig config() {
        return config;
    }

    Path dataDir() {
        return config.dataDir();
    }

    Path logDir() {
        return config.dataDir().resolve("logs");
    }

    Path runDir() {
        return config.dataDir().resolve("run");
    }

    boolean durable() {
        return config.durable();
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this devstack is closed");
        }
    }

    boolean isClosed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    void launched(ChildProcess child) {
        live.add(child);
    }

    void stopped(ChildProcess child) {
        live.remove(child);
    }

    /** Children launched and not stopped yet, including any still starting. */
    List<ChildProcess> liveChildren() {
        return List.copyOf(live);
    }

    void childExitedUnexpectedly(String name) {
        if (!closed) {
            unexpectedExits.add(name);
        }
    }

    /** Waits for the next component to die without being asked to (every death, not only the first). */
    String nextUnexpectedExit() throws InterruptedException {
        return unexpectedExits.take();
    }
}
