package io.pinhole.geo;

import static java.util.Objects.requireNonNull;

import io.pinhole.platform.config.Env;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where svc-geo's Solr is and how it writes, read once from the environment.
 *
 * <ul>
 *   <li>{@code PINHOLE_SOLR_URL}: standalone Solr's base URL (default {@code http://127.0.0.1:18983/solr}, devstack);
 *       in cloud mode without ZooKeeper, a comma-separated list of node base URLs (SolrJ reads the cluster state
 *       over HTTP).</li>
 *   <li>{@code PINHOLE_SOLR_ZK_HOSTS}: a ZooKeeper ensemble ({@code zk1:2181,zk2:2181}, optionally with a chroot
 *       {@code /solr} at the end); setting it means SolrCloud.</li>
 *   <li>{@code PINHOLE_SOLR_MODE}: {@code standalone} (default) or {@code cloud}.</li>
 *   <li>{@code PINHOLE_GEO_SOLR_MEDIA_COLLECTION} / {@code PINHOLE_GEO_SOLR_PLACES_COLLECTION}: core or collection
 *       names (default {@code pinhole_geo_media} / {@code pinhole_geo_places}).</li>
 *   <li>{@code PINHOLE_GEO_SOLR_CONFIGSET}: the configset they are created from (default {@code pinhole_default}).</li>
 *   <li>{@code PINHOLE_GEO_SOLR_SHARDS} / {@code PINHOLE_GEO_SOLR_REPLICAS}: for collections created in cloud mode
 *       (default 1 / 1).</li>
 *   <li>{@code PINHOLE_GEO_COMMIT_WITHIN}: the longest an indexed change waits to be searchable (default 1s).</li>
 *   <li>{@code PINHOLE_GEO_SOLR_TIMEOUT}: per request (default 5s).</li>
 * </ul>
 */
record SolrSettings(Mode mode, List<String> urls, Optional<String> zkHosts, String mediaCollection,
                    String placesCollection, String configSet, int shards, int replicas, Duration commitWithin,
                    Duration timeout) {

    enum Mode { STANDALONE, CLOUD }

    SolrSettings {
        requireNonNull(mode, "mode");
        urls = List.copyOf(urls);
        requireNonNull(zkHosts, "zkHosts");
        if (urls.isEmpty() && zkHosts.isEmpty()) {
            throw new IllegalArgumentException("PINHOLE_SOLR_URL or PINHOLE_SOLR_ZK_HOSTS is required");
        }
        if (mode == Mode.STANDALONE && urls.size() != 1) {
            throw new IllegalArgumentException("standalone Solr takes exactly one PINHOLE_SOLR_URL");
        }
    }

    static SolrSettings fromEnvironment(Env env) {
        final Optional<String> zk = env.find("PINHOLE_SOLR_ZK_HOSTS");
        final String modeName = env.string("PINHOLE_SOLR_MODE", zk.isPresent() ? "cloud" : "standalone");
        final Mode mode = switch (modeName.toLowerCase()) {
            case "standalone" -> Mode.STANDALONE;
            case "cloud" -> Mode.CLOUD;
            default -> throw new IllegalArgumentException(
                    "Environment variable PINHOLE_SOLR_MODE must be standalone or cloud, was '" + modeName + "'");
        };
        return new SolrSettings(mode,
                zk.isPresent() && env.find("PINHOLE_SOLR_URL").isEmpty() ? List.of()
                        : env.list("PINHOLE_SOLR_URL", List.of("http://127.0.0.1:18983/solr")),
                zk,
                env.string("PINHOLE_GEO_SOLR_MEDIA_COLLECTION", "pinhole_geo_media"),
                env.string("PINHOLE_GEO_SOLR_PLACES_COLLECTION", "pinhole_geo_places"),
                env.string("PINHOLE_GEO_SOLR_CONFIGSET", "pinhole_default"),
                env.integer("PINHOLE_GEO_SOLR_SHARDS", 1),
                env.integer("PINHOLE_GEO_SOLR_REPLICAS", 1),
                env.duration("PINHOLE_GEO_COMMIT_WITHIN", Duration.ofSeconds(1)),
                env.duration("PINHOLE_GEO_SOLR_TIMEOUT", Duration.ofSeconds(5)));
    }
}
