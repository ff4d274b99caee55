package io.pinhole.platform.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PinholeIdsTest {

    @Test
    void encode_then_decode_returnsEveryPart() {
        final long millis = Instant.parse("2026-11-22T10:15:30.123Z").toEpochMilli();
        final long id = PinholeIds.encode(millis, 4321, 987);

        assertThat(PinholeIds.shard(id)).isEqualTo(4321);
        assertThat(PinholeIds.sequence(id)).isEqualTo(987);
        assertThat(PinholeIds.epochMillis(id)).isEqualTo(millis);
        assertThat(PinholeIds.timestamp(id)).isEqualTo(Instant.parse("2026-11-22T10:15:30.123Z"));
    }

    @Test
    void layout_matchesInstagram_41_13_10() {
        final long id = PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 1, 1, 1);
        assertThat(id).isEqualTo((1L << 23) | (1L << 10) | 1L);
        // IDs are signed: they stay positive for 2^40 ms (until 2060-11), as Instagram's do.
        final long lastPositive = PinholeIds.encode(PinholeIds.EPOCH_MILLIS + (1L << 40) - 1, 8191, 1023);
        assertThat(lastPositive).isEqualTo(Long.MAX_VALUE);
        final long wrapped = PinholeIds.encode(PinholeIds.EPOCH_MILLIS + (1L << 41) - 1, 8191, 1023);
        assertThat(PinholeIds.epochMillis(wrapped)).isEqualTo(PinholeIds.EPOCH_MILLIS + (1L << 41) - 1);
    }

    @Test
    void ids_sortByTime_thenShard_thenSequence() {
        final long earlier = PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 1000, 8191, 1023);
        final long later = PinholeIds.encode(PinholeIds.EPOCH_MILLIS + 1001, 0, 0);
        assertThat(earlier).isLessThan(later);
    }

    @Test
    void encode_outOfRange_isRejected() {
        assertThatThrownBy(() -> PinholeIds.encode(PinholeIds.EPOCH_MILLIS - 1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PinholeIds.encode(PinholeIds.EPOCH_MILLIS, 8192, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PinholeIds.encode(PinholeIds.EPOCH_MILLIS, 0, 1024))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isPlausible_rejectsNegativeAndFarFuture() {
        assertThat(PinholeIds.isPlausible(-5)).isFalse();
        assertThat(PinholeIds.isPlausible(PinholeIds.encode(System.currentTimeMillis(), 3, 3))).isTrue();
        assertThat(PinholeIds.isPlausible(PinholeIds.encode(System.currentTimeMillis() + 3_600_000, 3, 3)))
                .isFalse();
    }
}
