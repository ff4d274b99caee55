package io.pinhole.platform.page;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.grpc.Status;
import io.pinhole.common.v1.PageRequest;
import io.pinhole.platform.error.PinholeException;
import java.util.Optional;

/**
 * Cursor decoding is fed by every client of every list RPC: whatever the text, it answers the values or
 * INVALID_ARGUMENT on {@code page.cursor} — never another exception — and a cursor it made decodes to its values.
 * Runs its corpus ({@code src/test/resources/.../PagesFuzzTestInputs}) in every build; {@code JAZZER_FUZZ=1} fuzzes.
 */
class PagesFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void anyCursorIsDecodedOrRefusedPrecisely(FuzzedDataProvider data) {
        final int parts = data.consumeInt(1, 4);
        final String cursor = data.consumeRemainingAsString();
        try {
            final Optional<long[]> values = Pages.decode(PageRequest.newBuilder().setCursor(cursor).build(), parts);
            assertThat(values.isEmpty()).isEqualTo(cursor.isEmpty());
            values.ifPresent(decoded -> {
                assertThat(decoded).hasSize(parts);
                assertThat(Pages.decode(PageRequest.newBuilder().setCursor(Pages.cursor(decoded)).build(), parts))
                        .hasValueSatisfying(again -> assertThat(again).containsExactly(decoded));
            });
        } catch (PinholeException refused) {
            assertThat(refused.toStatusProto().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
            assertThat(refused.toStatusProto().toString()).contains("page.cursor");
        }
    }

    @FuzzTest(maxDuration = "30s")
    void everyCursorMadeDecodesToItsValues(FuzzedDataProvider data) {
        final long[] values = new long[data.consumeInt(1, 4)];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.consumeLong();
        }
        assertThat(Pages.decode(PageRequest.newBuilder().setCursor(Pages.cursor(values)).build(), values.length))
                .hasValueSatisfying(decoded -> assertThat(decoded).containsExactly(values));
    }
}
