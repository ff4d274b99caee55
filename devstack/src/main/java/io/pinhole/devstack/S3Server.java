package io.pinhole.devstack;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An S3-compatible server: s3proxy in its own JVM ({@code devstack/s3-runner}), blobs on the local filesystem under
 * {@code <data>/s3/<bucket>/}, AWS Signature V4 required with fixed local credentials. Clients use path-style
 * addressing ({@code forcePathStyle(true)} in the AWS SDK) against {@link #endpoint()}.
 */
public final class S3Server {

    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final String REGION = "us-east-1";
    private static final String ACCESS_KEY = "pinhole-local";
    private static final String SECRET_KEY = "pinhole-local-secret";

    private final int port;
    private final Path dir;
    private final ChildProcess process;

    private S3Server(DevstackContext context, int port) {
        this.port = port;
        this.dir = context.dataDir().resolve("s3");
        this.process = new ChildProcess(context, "s3", JavaRunner.command("devstack/s3-runner",
                "io.pinhole.devstack.s3.S3RunnerMain",
                List.of("-Xms32m", "-Xmx256m"),
                List.of("--port", Integer.toString(port), "--dir", dir.toString(),
                        "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY)),
                port, DevstackConfig.ENV_S3_PORT, true, Duration.ofSeconds(60));
    }

    static S3Server start(DevstackContext context) {
        return Ports.startOn(context.config().s3Port(), port -> new S3Server(context, port), S3Server::start);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}, as in {@code PINHOLE_S3_ENDPOINT}. */
    public URI endpoint() {
        return URI.create("http://" + host() + ":" + port);
    }

    /** The signing region: s3proxy accepts any, services and tests use this one. */
    public String region() {
        return REGION;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    /** Creates {@code name} unless it exists. Bucket names follow S3's rules (3-63 of a-z, 0-9, '.', '-'). */
    public void createBucket(String name) {
        requireNonNull(name, "name");
        if (!BUCKET_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a valid S3 bucket name: '" + name + "'");
        }
        final URI uri = endpoint().resolve("/" + name);
        final HttpResponse<String> response;
        try {
            response = Http.send(AwsSigV4.emptyBodyRequest("PUT", uri, REGION, ACCESS_KEY, SECRET_KEY, Instant.now())
                    .timeout(Duration.ofSeconds(10)).build());
        } catch (IOException e) {
            throw new UncheckedIOException("could not create bucket " + name + " at " + endpoint(), e);
        }
        final boolean created = response.statusCode() == 200;
        final boolean existed = response.statusCode() == 409 && response.body().contains("BucketAlreadyOwnedByYou");
        if (!created && !existed) {
            throw new IllegalStateException("could not create bucket " + name + ": HTTP " + response.statusCode()
                    + " " + response.body());
        }
    }

    /**
     * {@code PINHOLE_S3_ENDPOINT}, {@code PINHOLE_S3_REGION}, {@code PINHOLE_S3_ACCESS_KEY}, {@code PINHOLE_S3_SECRET_KEY}
     * and {@code PINHOLE_S3_BUCKET} for {@code bucket}, which is created if needed.
     */
    public Map<String, String> environment(String bucket) {
        createBucket(bucket);
        final Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PINHOLE_S3_ENDPOINT", endpoint().toString());
        environment.put("PINHOLE_S3_REGION", region());
        environment.put("PINHOLE_S3_ACCESS_KEY", accessKey());
        environment.put("PINHOLE_S3_SECRET_KEY", secretKey());
        environment.put("PINHOLE_S3_BUCKET", bucket);
        return environment;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Starts the server on {@link #port()} again; buckets and objects are kept on disk. Idempotent. */
    public void start() {
        // Any HTTP answer means the server is up (anonymous requests get 403).
        process.start(() -> Http.status(endpoint()) > 0);
    }

    /** Stops the server. Idempotent. */
    public void stop() {
        process.stop();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public String toString() {
        return "S3Server[" + endpoint() + (isRunning() ? "" : " stopped") + "]";
    }
}
