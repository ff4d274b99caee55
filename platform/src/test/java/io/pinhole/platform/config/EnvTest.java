package io.pinhole.platform.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pinhole.platform.shard.DatabaseConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {

    @Test
    void typedValues_parse_andDefaultsApply() {
        final Env env = Env.of(Map.of("A", "42", "B", "250ms", "C", "x, y,,z", "D", "yes", "E", "  "));
        assertThat(env.integer("A", 1)).isEqualTo(42);
        assertThat(env.duration("B", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
        assertThat(env.list("C", List.of())).containsExactly("x", "y", "z");
        assertThat(env.bool("D", false)).isTrue();
        assertThat(env.string("E", "blank means unset")).isEqualTo("blank means unset");
        assertThat(env.duration("MISSING", Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void malformedValue_failsNamingTheVariable() {
        final Env env = Env.of(Map.of("PINHOLE_X", "ten", "PINHOLE_Y", "5 parsecs"));
        assertThatThrownBy(() -> env.integer("PINHOLE_X", 1)).hasMessageContaining("PINHOLE_X");
        assertThatThrownBy(() -> env.duration("PINHOLE_Y", Duration.ZERO)).hasMessageContaining("PINHOLE_Y");
        assertThatThrownBy(() -> env.required("PINHOLE_Z")).hasMessageContaining("PINHOLE_Z");
    }

    @Test
    void databaseConfig_readsServersAndShardMap() {
        final Env env = Env.of(Map.of(
                "PINHOLE_DB_SERVERS", "db-a:5432,db-b:5432,db-c:5432",
                "PINHOLE_SHARD_MAP", "0-1:2,2-3:0,4-5:1"));
        final DatabaseConfig config = DatabaseConfig.fromEnvironment(env, "pinhole_media");
        assertThat(config.jdbcUrl(2)).isEqualTo("jdbc:postgresql://db-c:5432/pinhole_media");
        assertThat(config.shardMap().physicalServerOf(0)).isEqualTo(2);
        assertThat(config.shardMap().logicalShards()).isEqualTo(6);
    }

    @Test
    void serviceAddresses_defaultToDesignPorts() {
        final Env env = Env.of(Map.of("PINHOLE_GEO_ADDRESS", "geo.internal:9000"));
        assertThat(PinholeService.MEDIA.port(env)).isEqualTo(9102);
        assertThat(PinholeService.IDENTITY.address(env)).isEqualTo("127.0.0.1:9101");
        assertThat(PinholeService.GEO.address(env)).isEqualTo("geo.internal:9000");
    }
}
