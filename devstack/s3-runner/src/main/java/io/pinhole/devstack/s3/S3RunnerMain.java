package io.pinhole.devstack.s3;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * Runs s3proxy on {@code http://127.0.0.1:PORT} with its blobs under a directory (one sub-directory per bucket),
 * requiring AWS Signature V4 (or V2) with one fixed key pair, in this JVM.
 *
 * <p>Started by devstack as a child process:
 * {@code S3RunnerMain --port P --dir DIR --access-key K --secret-key S}. It exits when its standard input closes
 * (devstack closes it to ask for a stop; the pipe also closes if devstack dies, so the runner is never orphaned) or
 * on SIGTERM.
 */
public final class S3RunnerMain {

    private S3RunnerMain() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            // Once the server has started, its non-daemon threads would keep this JVM alive after main() failed:
            // exit so that devstack sees the failure at once instead of waiting out its start-up deadline.
            System.err.println("s3-runner: failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        int port = -1;
        Path dir = null;
        String accessKey = null;
        String secretKey = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]).toAbsolutePath();
                case "--access-key" -> accessKey = args[++i];
                case "--secret-key" -> secretKey = args[++i];
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (port < 0 || dir == null || accessKey == null || secretKey == null) {
            usage("--port, --dir, --access-key and --secret-key are required");
        }

        Files.createDirectories(dir);
        final BlobStore blobs = new FilesystemNio2BlobStore(dir.toString());
        final S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobs)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                // Uploads of photos are small; the default (5 GB) only matters for abuse tests.
                .maxSinglePartObjectSize(512L * 1024 * 1024)
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                proxy.stop();
            } catch (Exception e) {
                System.err.println("s3-runner: error while stopping s3proxy: " + e);
            }
        }, "s3-runner-stop"));
        proxy.start();
        System.out.println("s3-runner: s3proxy listening on http://127.0.0.1:" + proxy.getPort() + " (blobs in " + dir
                + ")");
        System.out.flush();

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

    private static void usage(String problem) {
        System.err.println("s3-runner: " + problem);
        System.err.println("usage: S3RunnerMain --port PORT --dir DIR --access-key KEY --secret-key SECRET");
        System.exit(2);
    }
}
