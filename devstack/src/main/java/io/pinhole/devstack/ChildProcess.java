package io.pinhole.devstack;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server run as a child process: started with its output appended to a log file, declared ready by a probe polled
 * against a deadline, stopped with SIGTERM and then SIGKILL, and never left behind.
 *
 * <p>Children run in their own session ({@code setsid}) so that a Ctrl-C in the terminal reaches only the JVM, which
 * then stops them in order, instead of killing them all at once under a running service. Their PID goes to
 * {@code <data>/run/<name>.pid}; a child left over by a JVM that was killed with SIGKILL is recognised (same executable,
 * same port) and stopped before a new one takes its port.
 */
final class ChildProcess {

    /** Answers whether the server accepts work; any exception means "not yet". */
    @FunctionalInterface
    interface Probe {
        boolean ready() throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final Optional<Path> SETSID = Binaries.find("setsid");

    private final String name;
    private final List<String> command;
    private final Path logFile;
    private final Path pidFile;
    private final int port;
    private final String portVariable;
    private final boolean pipeStdin;
    private final Duration startTimeout;
    private final DevstackContext context;

    private volatile Process process;
    private volatile boolean stopping;

    /**
     * @param port the port the child listens on (also how a left-over process of ours is recognised)
     * @param portVariable the environment variable that moves this port, for the "port in use" message
     * @param pipeStdin keep a pipe to the child's stdin open: the Java runners exit when it closes, so they die with us
     */
    ChildProcess(DevstackContext context, String name, List<String> command, int port, String portVariable,
            boolean pipeStdin, Duration startTimeout) {
        this.context = context;
        this.name = name;
        this.command = List.copyOf(command);
        this.logFile = context.logDir().resolve(name + ".log");
        this.pidFile = context.runDir().resolve(name + ".pid");
        this.port = port;
        this.portVariable = portVariable;
        this.pipeStdin = pipeStdin;
        this.startTimeout = startTimeout;
    }

    boolean isAlive() {
        final Process p = process;
        return p != null && p.isAlive();
    }

    long pid() {
        final Process p = process;
        return p == null ? -1 : p.pid();
    }

    /** Starts the process and returns once {@code probe} says it is ready; fails with the log's tail otherwise. */
    synchronized void start(Probe probe) {
        context.ensureOpen();
        if (isAlive()) {
            return;
        }
        stopStale();
        Ports.requireFree(port, name, portVariable);
        final long started = System.nanoTime();
        final List<String> fullCommand = new ArrayList<>();
        SETSID.ifPresent(setsid -> fullCommand.add(setsid.toString()));
        fullCommand.addAll(command);
        try {
            Files.createDirectories(logFile.getParent());
            Files.createDirectories(pidFile.getParent());
            Files.writeString(logFile, "=== " + Instant.now() + " devstack starts " + name + ": "
                    + abbreviate(String.join(" ", command)) + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            final ProcessBuilder builder = new ProcessBuilder(fullCommand)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(pipeStdin ? ProcessBuilder.Redirect.PIPE
                            : ProcessBuilder.Redirect.from(new File("/dev/null")));
            stopping = false;
            final Process p = builder.start();
            process = p;
            context.launched(this);
            Files.writeString(pidFile, Long.toString(p.pid()), StandardCharsets.UTF_8);
            p.onExit().thenAccept(exited -> {
                if (!stopping) {
                    log.warn("{} (pid {}) exited with code {} (log: {})", name, exited.pid(), exited.exitValue(),
                            logFile);
                    context.childExitedUnexpectedly(name);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + " (" + String.join(" ", command) + ")", e);
        }
        awaitReady(probe, started);
    }

    private void awaitReady(Probe probe, long started) {
        final Process p = process;
        final long deadline = started + startTimeout.toNanos();
        Exception lastFailure = null;
        while (true) {
            try {
                if (probe.ready()) {
                    log.info("{} ready (pid {}) in {} ms", name, p.pid(),
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                    return;
                }
            } catch (Exception e) {
                lastFailure = e;
            }
            if (System.nanoTime() - deadline > 0) {
                stop();
                throw new IllegalStateException(name + " was not ready after " + startTimeout.toSeconds()
                        + " s (last probe failure: " + lastFailure + "); log " + logFile + " ends with:\n"
                        + tail(logFile), lastFailure);
            }
            // Wait for the next poll on the process itself: no sleeping through its death.
            try {
                p.onExit().get(POLL.toMillis(), TimeUnit.MILLISECONDS);
                throw new IllegalStateException(name + (stopping ? " was stopped" : " exited with code "
                        + p.exitValue()) + " during start-up; log " + logFile + " ends with:\n" + tail(logFile));
            } catch (TimeoutException stillRunning) {
                // poll again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new IllegalStateException("interrupted while starting " + name, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** SIGTERM, then SIGKILL after a grace period; also kills anything the child started. Idempotent. */
    void stop() {
        final Process p = process;
        if (p == null) {
            return;
        }
        stopping = true;
        final List<ProcessHandle> descendants = p.descendants().toList();
        terminate(p.toHandle(), STOP_GRACE);
        for (ProcessHandle descendant : descendants) {
            terminate(descendant, Duration.ofSeconds(5));
        }
        if (pipeStdin) {
            try {
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // the stale check verifies the command line anyway
        }
        process = null;
        context.stopped(this);
        String exitCode = "unknown";
        try {
            // It has exited; give the JVM's reaper a moment to collect the status.
            if (p.waitFor(1, TimeUnit.SECONDS)) {
                exitCode = Integer.toString(p.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("{} stopped (pid {}, exit code {})", name, p.pid(), exitCode);
    }

    /** Stops a process that is not necessarily our child: SIGTERM, wait, SIGKILL, wait. */
    static void terminate(ProcessHandle handle, Duration grace) {
        if (!isRunning(handle)) {
            return;
        }
        handle.destroy();
        if (!awaitExit(handle, grace)) {
            log.warn("pid {} did not stop within {} s of SIGTERM: killing it", handle.pid(), grace.toSeconds());
            handle.destroyForcibly();
            awaitExit(handle, Duration.ofSeconds(10));
        }
    }

    /**
     * Waits until {@code handle} has exited. For a process that is not our child (the postmaster), the JDK only
     * notices its exit by polling about once a second, so check every 50 ms ourselves as well.
     */
    static boolean awaitExit(ProcessHandle handle, Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final CompletableFuture<ProcessHandle> exit = handle.onExit();
        while (isRunning(handle)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                exit.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
                return true;
            } catch (TimeoutException stillRunning) {
                // check again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !isRunning(handle);
            } catch (ExecutionException e) {
                return !isRunning(handle);
            }
        }
        return true;
    }

    /**
     * Alive and not a zombie. A detached process that has exited (the postmaster, whose parent is init) stays a zombie
     * until init reaps it, which can take a second or two; it holds no port and no file by then.
     */
    static boolean isRunning(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            final String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"),
                    StandardCharsets.US_ASCII);
            // pid (comm) STATE ...: comm may contain spaces and parentheses, so look after the last ')'.
            final String afterName = stat.substring(stat.lastIndexOf(')') + 1).trim();
            return !afterName.startsWith("Z") && !afterName.startsWith("X");
        } catch (IOException | RuntimeException e) {
            return handle.isAlive(); // no /proc (not Linux) or already gone
        }
    }

    /** A child of an earlier devstack that died with SIGKILL still holds our port: stop it if it is really ours. */
    private void stopStale() {
        if (Files.notExists(pidFile)) {
            return;
        }
        try {
            final long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
            ProcessHandle.of(pid).filter(ChildProcess::isRunning).filter(this::looksLikeOurs).ifPresent(stale -> {
                log.warn("stopping {} left over from an earlier run (pid {})", name, stale.pid());
                terminate(stale, STOP_GRACE);
            });
            Files.deleteIfExists(pidFile);
        } catch (IOException | NumberFormatException e) {
            log.debug("ignoring unreadable pid file {}", pidFile, e);
        }
    }

    private boolean looksLikeOurs(ProcessHandle handle) {
        final String executable = Path.of(command.get(0)).getFileName().toString();
        final String commandLine = commandLine(handle);
        return commandLine.contains(executable) && commandLine.contains(Integer.toString(port));
    }

    /**
     * The command line as the process shows it. Read from /proc directly: Redis rewrites its argv[0] (to
     * "redis-server 127.0.0.1:PORT"), which the JDK then drops, and Debian's redis-server is a link to redis-check-rdb.
     */
    private static String commandLine(ProcessHandle handle) {
        final Path procCmdline = Path.of("/proc", Long.toString(handle.pid()), "cmdline");
        try {
            if (Files.isReadable(procCmdline)) {
                return Files.readString(procCmdline, StandardCharsets.UTF_8).replace('\0', ' ');
            }
        } catch (IOException | UncheckedIOException e) {
            // fall back to what the JDK knows
        }
        final ProcessHandle.Info info = handle.info();
        return info.commandLine().orElse("") + " " + String.join(" ", info.arguments().orElse(new String[0]));
    }

    static String tail(Path file) {
        try {
            final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static String abbreviate(String commandLine) {
        // The Solr runner's classpath alone is ~15 KB; the log needs the shape of the command, not every jar.
        return commandLine.replaceAll("-cp \\S{200,}", "-cp <runner classpath>");
    }

    @Override
    public String toString() {
        return name + (isAlive() ? " (pid " + pid() + ")" : " (stopped)");
    }
}
