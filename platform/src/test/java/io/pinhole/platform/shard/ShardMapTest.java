package io.pinhole.platform.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pinhole.platform.id.PinholeIds;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShardMapTest {

    @Test
    void contiguous_spreadsEqualBlocks() {
        final ShardMap map = ShardMap.contiguous(16, 2);
        assertThat(map.logicalShardsOn(0)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(map.logicalShardsOn(1)).containsExactly(8, 9, 10, 11, 12, 13, 14, 15);
        assertThat(map).hasToString("0-7:0,8-15:1");
    }

    @Test
    void parse_roundTrips_andRoutesEachShard() {
        final ShardMap map = ShardMap.parse("0-2:1, 3:0, 4-5:1", 2);
        assertThat(map.logicalShards()).isEqualTo(6);
        assertThat(map.physicalServerOf(0)).isEqualTo(1);
        assertThat(map.physicalServerOf(3)).isEqualTo(0);
        assertThat(map.physicalServerOf(5)).isEqualTo(1);
        assertThat(ShardMap.parse(map.toString(), 2)).isEqualTo(map);
    }

    @Test
    void movingAShard_changesOnlyItsServer() {
        final ShardMap before = ShardMap.parse("0-7:0,8-15:1", 2);
        final ShardMap after = ShardMap.parse("0-6:0,7:1,8-15:1", 2);
        for (int shard = 0; shard < 16; shard++) {
            if (shard != 7) {
                assertThat(after.physicalServerOf(shard)).isEqualTo(before.physicalServerOf(shard));
            }
        }
        assertThat(after.physicalServerOf(7)).isEqualTo(1);
    }

    @Test
    void parse_gapsDuplicatesAndUnknownServers_areRejected() {
        assertThatThrownBy(() -> ShardMap.parse("0-3:0,5-7:1", 2)).hasMessageContaining("missing");
        assertThatThrownBy(() -> ShardMap.parse("0-3:0,3-7:1", 2)).hasMessageContaining("twice");
        assertThatThrownBy(() -> ShardMap.parse("0-7:2", 2)).hasMessageContaining("physical server 2");
        assertThatThrownBy(() -> ShardMap.parse("zero:1", 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ids_routeByTheirShardBits() {
        final ShardMap map = ShardMap.contiguous(16, 2);
        final long onShard3 = PinholeIds.encode(System.currentTimeMillis(), 3, 1);
        final long onShard12 = PinholeIds.encode(System.currentTimeMillis(), 12, 1);
        assertThat(map.physicalServerOfId(onShard3)).isZero();
        assertThat(map.physicalServerOfId(onShard12)).isEqualTo(1);
        assertThat(map.groupByPhysicalServer(List.of(onShard3, onShard12, onShard3)))
                .isEqualTo(Map.of(0, List.of(onShard3, onShard3), 1, List.of(onShard12)));
    }

    @Test
    void schemaNames_areZeroPadded() {
        assertThat(ShardMap.schemaOf(0)).isEqualTo("shard_0000");
        assertThat(ShardMap.schemaOf(8191)).isEqualTo("shard_8191");
    }
}
