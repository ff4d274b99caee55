package io.pinhole.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line of a runner module ({@code devstack/solr-runner}, {@code devstack/s3-runner}) started in its own
 * JVM: the running JDK's {@code java}, the module's {@code target/classes}, and the dependency classpath that its build
 * wrote to {@code target/runner.classpath}.
 *
 * <p>The runners are found through the repository root: the {@code pinhole.home} system property, else the
 * {@code PINHOLE_HOME} environment variable, else the first directory holding Pinhole's parent POM above where
 * devstack's classes were loaded from, else above the working directory.
 */
final class JavaRunner {

    private JavaRunner() {}

    static List<String> command(String module, String mainClass, List<String> jvmOptions, List<String> arguments) {
        final Path root = repositoryRoot();
        final Path moduleDir = root.resolve(module);
        final Path classes = moduleDir.resolve("target/classes");
        final Path classpathFile = moduleDir.resolve("target/runner.classpath");
        final Path mainClassFile = classes.resolve(mainClass.replace('.', '/') + ".class");
        if (Files.notExists(mainClassFile) || Files.notExists(classpathFile)) {
            throw new IllegalStateException(module + " is not built (" + mainClassFile + " or " + classpathFile
                    + " is missing). Build it with:  mvn -pl " + module + " -am install  (or ./pinhole build)");
        }
        final String dependencies;
        try {
            dependencies = Files.readString(classpathFile, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        // Start-up speed over peak throughput: these JVMs serve one developer or one test run.
        command.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                "-Djava.awt.headless=true"));
        if (Runtime.version().feature() >= 24) {
            command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        }
        command.add("-cp");
        command.add(classes + (dependencies.isEmpty() ? "" : ":" + dependencies));
        command.add(mainClass);
        command.addAll(arguments);
        return command;
    }

    static Path repositoryRoot() {
        final Optional<String> explicit = Optional.ofNullable(System.getProperty("pinhole.home"))
                .or(() -> Optional.ofNullable(System.getenv("PINHOLE_HOME")))
                .filter(value -> !value.isBlank());
        if (explicit.isPresent()) {
            final Path root = Path.of(explicit.get()).toAbsolutePath().normalize();
            if (!isRoot(root)) {
                throw new IllegalStateException("pinhole.home / PINHOLE_HOME (" + root
                        + ") is not a Pinhole checkout (no pom.xml with artifactId pinhole-parent)");
            }
            return root;
        }
        return codeLocation().flatMap(JavaRunner::rootAbove)
                .or(() -> rootAbove(Path.of("").toAbsolutePath()))
                .orElseThrow(() -> new IllegalStateException("cannot find the Pinhole checkout above "
                        + Path.of("").toAbsolutePath() + ": run from inside it, or set PINHOLE_HOME"));
    }

    private static Optional<Path> codeLocation() {
        try {
            return Optional.of(Path.of(JavaRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> rootAbove(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (isRoot(dir)) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /** The parent POM names itself pinhole-parent and has no parent; module POMs name it inside {@code <parent>}. */
    private static boolean isRoot(Path dir) {
        final Path pom = dir.resolve("pom.xml");
        if (!Files.isRegularFile(pom)) {
            return false;
        }
        try {
            final String text = Files.readString(pom, StandardCharsets.UTF_8);
            return text.contains("<artifactId>pinhole-parent</artifactId>") && !text.contains("<parent>");
        } catch (IOException e) {
            return false;
        }
    }
}
