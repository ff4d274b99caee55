package io.pinhole.bench;

import com.linecorp.armeria.client.grpc.GrpcClients;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service as {@code ./pinhole up} runs it — its own JVM, its jar and copied dependencies from
 * {@code <module>/target} — on a free port, its output in {@code bench/reports/<module>.log}; started and waited for
 * until its gRPC health check answers SERVING. For benchmarks whose service must not share the load generator's JVM.
 */
final class ServiceProcess {

    private ServiceProcess() {}

    /** A started, serving service process and its port. */
    record Started(Process process, int port) {
        String address() {
            return "127.0.0.1:" + port;
        }
    }

    /** Starts {@code mainClass} of {@code module} with {@code environment} plus {@code portVariable} = a free port. */
    static Started start(String module, String mainClass, String portVariable, Map<String, String> environment)
            throws Exception {
        final Launched launched = launch(module, mainClass, portVariable, environment);
        awaitServing(module, launched.started().port(), launched.started().process(), launched.log());
        return launched.started();
    }

    /**
     * Starts an HTTP application of {@code module} (the gateway) the same way, ready once {@code GET healthPath}
     * answers 200 — the check {@code ./pinhole up} waits for.
     */
    static Started startHttp(String module, String mainClass, String portVariable, Map<String, String> environment,
                             String healthPath) throws Exception {
        final Launched launched = launch(module, mainClass, portVariable, environment);
        final Process process = launched.started().process();
        final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        final java.net.URI health = java.net.URI.create("http://127.0.0.1:" + launched.started().port() + healthPath);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120); // Spring Boot starts slower
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited (see " + launched.log() + ")");
            }
            try {
                if (http.send(java.net.http.HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(1)).build(),
                              java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return launched.started();
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(module + " did not answer " + healthPath + " within 120 s (see "
                                                + launched.log() + ")");
            }
            process.waitFor(200, TimeUnit.MILLISECONDS); // returns early if it dies
        }
    }

    private record Launched(Started started, File log) {}

    private static Launched launch(String module, String mainClass, String portVariable, Map<String, String> environment)
            throws Exception {
        final File target = new File(module + "/target");
        final File[] jars = target.listFiles((dir, name) -> name.startsWith("pinhole-" + module) && name.endsWith(".jar"));
        if (jars == null || jars.length == 0 || !new File(target, "lib").isDirectory()) {
            throw new IllegalStateException(module + " is not built: run ./pinhole build (from the repository root)");
        }
        final int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-cp", jars[0].getPath() + File.pathSeparator + module + "/target/lib/*", mainClass);
        builder.environment().putAll(environment);
        builder.environment().put(portVariable, Integer.toString(port));
        Files.createDirectories(Path.of("bench/reports"));
        final File log = new File("bench/reports/" + module + ".log");
        builder.redirectErrorStream(true).redirectOutput(log);
        final Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy)); // also on Ctrl-C
        return new Launched(new Started(process, port), log);
    }

    private static void awaitServing(String module, int port, Process process, File log) throws Exception {
        final HealthGrpc.HealthBlockingStub health = GrpcClients.builder("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(1)).build(HealthGrpc.HealthBlockingStub.class);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(module + " exited (see " + log + ")");
            }
            try {
                if (health.check(HealthCheckRequest.getDefaultInstance()).getStatus() == ServingStatus.SERVING) {
                    return;
                }
            } catch (RuntimeException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(module + " did not serve within 60 s (see " + log + ")", notYet);
                }
            }
            process.waitFor(100, TimeUnit.MILLISECONDS); // returns early if it dies
        }
    }
}
