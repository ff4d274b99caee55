package io.pinhole.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DevstackConfigTest {

    @Test
    void fromEnvironment_withNothingSet_usesTheFixedDefaultPorts_andIsDurable() {
        final DevstackConfig config = DevstackConfig.fromEnvironment(Path.of(".pinhole"), Map.of());

        assertThat(config.postgresPorts()).containsExactly(15432, 15433);
        assertThat(config.postgresServers()).isEqualTo(2);
        assertThat(config.redisPort()).isEqualTo(16379);
        assertThat(config.memcachedPort()).isEqualTo(21211);
        assertThat(config.solrPort()).isEqualTo(18983);
        assertThat(config.s3Port()).isEqualTo(19000);
        assertThat(config.durable()).isTrue();
        assertThat(config.deleteDataOnClose()).isFalse();
        assertThat(config.dataDir()).isEqualTo(Path.of(".pinhole").toAbsolutePath());
    }

    @Test
    void fromEnvironment_readsEveryPortVariable() {
        final DevstackConfig config = DevstackConfig.fromEnvironment(Path.of("/tmp/x"), Map.of(
                "PINHOLE_PG_PORTS", "25432, 25433,25434",
                "PINHOLE_REDIS_PORT", "26379",
                "PINHOLE_MEMCACHED_PORT", "31211",
                "PINHOLE_SOLR_PORT", "28983",
                "PINHOLE_S3_PORT", "29000"));

        assertThat(config.postgresPorts()).containsExactly(25432, 25433, 25434);
        assertThat(config.redisPort()).isEqualTo(26379);
        assertThat(config.memcachedPort()).isEqualTo(31211);
        assertThat(config.solrPort()).isEqualTo(28983);
        assertThat(config.s3Port()).isEqualTo(29000);
    }

    @Test
    void fromEnvironment_withABadPort_namesTheVariable() {
        assertThatThrownBy(() -> DevstackConfig.fromEnvironment(Path.of("x"), Map.of("PINHOLE_REDIS_PORT", "redis")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PINHOLE_REDIS_PORT");
        assertThatThrownBy(() -> DevstackConfig.fromEnvironment(Path.of("x"), Map.of("PINHOLE_PG_PORTS", "1,70000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PINHOLE_PG_PORTS");
    }

    @Test
    void builder_defaultsToTwoPostgresServersOnFreePorts() {
        final DevstackConfig config = DevstackConfig.builder(Path.of("x")).build();

        assertThat(config.postgresPorts()).containsExactly(0, 0);
        assertThat(List.of(config.redisPort(), config.memcachedPort(), config.solrPort(), config.s3Port()))
                .containsOnly(0);
        assertThat(config.durable()).isFalse();
        assertThat(DevstackConfig.builder(Path.of("x")).postgresServers(3).build().postgresServers()).isEqualTo(3);
    }
}
