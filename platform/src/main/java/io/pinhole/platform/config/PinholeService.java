package io.pinhole.platform.config;

/**
 * The five services, their default ports (DESIGN.md) and how to find them.
 *
 * <p>A service listens on {@code PINHOLE_<NAME>_PORT} (default below) and is reached at
 * {@code PINHOLE_<NAME>_ADDRESS} ({@code host:port}, default {@code 127.0.0.1:<port>}; in Kubernetes the headless
 * Service name).
 */
public enum PinholeService {
    IDENTITY("svc-identity", 9101),
    MEDIA("svc-media", 9102),
    FEED("svc-feed", 9103),
    GEO("svc-geo", 9104),
    NOTIFY("svc-notify", 9105);

    private final String serviceName;
    private final int defaultPort;

    PinholeService(String serviceName, int defaultPort) {
        this.serviceName = serviceName;
        this.defaultPort = defaultPort;
    }

    public String serviceName() {
        return serviceName;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** {@code pinhole_identity} …: the database this service owns on every physical server. */
    public String databaseName() {
        return "pinhole_" + name().toLowerCase();
    }

    public int port(Env env) {
        return env.integer("PINHOLE_" + name() + "_PORT", defaultPort);
    }

    public String address(Env env) {
        return env.string("PINHOLE_" + name() + "_ADDRESS", "127.0.0.1:" + port(env));
    }
}
