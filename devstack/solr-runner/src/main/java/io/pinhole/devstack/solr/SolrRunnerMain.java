package io.pinhole.devstack.solr;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.solr.client.api.util.SolrVersion;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Runs one standalone Solr node on {@code 127.0.0.1:PORT/solr} with its home in a directory, in this JVM.
 *
 * <p>Started by devstack as a child process: {@code SolrRunnerMain --port P --home DIR [--ready-file FILE]}; the ready
 * file is written once Solr serves and its cores are loaded (Jetty listens earlier). At start it writes a minimal
 * {@code solr.xml} and copies the configsets shipped in this jar ({@code configsets/pinhole_default}) into the home
 * unless they are already there. A core created from a configset gets its own copy of it
 * ({@link CopyOnCreateConfigSetService}), so the Schema API of one core never touches another.
 *
 * <p>Why it exits the way it does: Solr leaves non-daemon threads behind, so returning from {@code main} would not end
 * the JVM. It stops Solr and calls {@link System#exit} when its standard input closes (devstack closes it to ask
 * for a stop, and the pipe closes by itself if devstack dies, so the runner is never orphaned) or on SIGTERM.
 */
public final class SolrRunnerMain {

    /** Configsets this jar ships; each is a directory under {@code configsets/} on the classpath. */
    static final List<String> CONFIGSETS = List.of("pinhole_default");

    private SolrRunnerMain() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            // Once the server has started, its non-daemon threads would keep this JVM alive after main() failed:
            // exit so that devstack sees the failure at once instead of waiting out its start-up deadline.
            System.err.println("solr-runner: failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        int port = -1;
        Path home = null;
        Path readyFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--home" -> home = Path.of(args[++i]).toAbsolutePath();
                case "--ready-file" -> readyFile = Path.of(args[++i]).toAbsolutePath();
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (port < 0 || home == null) {
            usage("--port and --home are required");
        }

        prepareHome(home);
        final JettySolrRunner solr = new JettySolrRunner(home.toString(), JettyConfig.builder()
                .setPort(port)
                .setContext("/solr")
                // Jetty's own shutdown hook would race ours; we stop Solr explicitly below.
                .stopAtShutdown(false)
                // start() returns only when the existing cores are loaded (Jetty listens before that).
                .waitForLoadingCoresToFinish(120_000L)
                .build());
        final Thread stopper = new Thread(() -> stop(solr), "solr-runner-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        solr.start();
        System.out.println("solr-runner: Solr " + SolrVersion.LATEST + " listening on "
                + solr.getBaseUrl() + " (home " + home + ")");
        System.out.flush();
        if (readyFile != null) {
            final Path partial = readyFile.resolveSibling(readyFile.getFileName() + ".partial");
            Files.writeString(partial, solr.getBaseUrl().toString(), StandardCharsets.UTF_8);
            Files.move(partial, readyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        // Block until devstack closes our stdin (or dies), then exit: see the class comment.
        final InputStream in = System.in;
        final byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // devstack never writes; anything read is ignored
            }
        } catch (IOException e) {
            // a broken pipe means the parent is gone: stop all the same
        }
        System.exit(0);
    }

    private static void stop(JettySolrRunner solr) {
        try {
            if (!solr.isStopped()) {
                solr.stop();
            }
        } catch (Exception e) {
            System.err.println("solr-runner: error while stopping Solr: " + e);
        }
    }

    private static void usage(String problem) {
        System.err.println("solr-runner: " + problem);
        System.err.println("usage: SolrRunnerMain --port PORT --home DIR [--ready-file FILE]");
        System.exit(2);
    }

    /** Writes solr.xml and copies missing configsets; an existing configset is left as it is. */
    static void prepareHome(Path home) throws IOException {
        Files.createDirectories(home);
        // Always rewritten: it is ours, and Solr never changes it.
        Files.writeString(home.resolve("solr.xml"), """
                <?xml version="1.0" encoding="UTF-8" ?>
                <!-- Written by devstack's Solr runner at every start: a standalone node; cores are found under
                     this home; a core created with configSet=X gets its own copy of configsets/X/conf. -->
                <solr>
                  <int name="maxBooleanClauses">${solr.max.booleanClauses:1024}</int>
                  <str name="configSetService">%s</str>
                </solr>
                """.formatted(CopyOnCreateConfigSetService.class.getName()), StandardCharsets.UTF_8);
        for (String configset : CONFIGSETS) {
            final Path target = home.resolve("configsets").resolve(configset);
            if (Files.notExists(target)) {
                copyResourceTree("configsets/" + configset, target);
            }
        }
    }

    private static void copyResourceTree(String resource, Path target) throws IOException {
        final URL url = SolrRunnerMain.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException("configset resource " + resource + " is missing from the classpath");
        }
        try {
            if ("jar".equals(url.getProtocol())) {
                try (FileSystem jar = FileSystems.newFileSystem(url.toURI(), Map.of())) {
                    copyTree(jar.getPath(resource), target);
                }
            } else {
                copyTree(Path.of(url.toURI()), target);
            }
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            paths.forEach(path -> {
                final Path destination = target.resolve(source.relativize(path).toString());
                try {
                    if (Files.isDirectory(path)) {
                        Files.createDirectories(destination);
                    } else {
                        Files.copy(path, destination);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
