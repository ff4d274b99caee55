package io.pinhole.gateway.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pinhole.gateway.error.ErrorCode;
import io.pinhole.gateway.error.GatewayException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ArgumentsTest {

    @Test
    void id_readsTheDecimalStringOfA64BitId() {
        assertThat(Arguments.id("9223372036854775807", "userId")).isEqualTo(Long.MAX_VALUE);
        assertThat(Arguments.id("1", "userId")).isEqualTo(1L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "-1", "+1", " 1", "1 ", "1e3", "0x10", "12abc", "9223372036854775808",
                            "99999999999999999999", "١٢"})
    void id_malformed_isBadUserInputNamingTheArgument(String value) {
        final GatewayException error = catchThrowableOfType(GatewayException.class, () -> Arguments.id(value, "userId"));

        assertThat(error.code()).isEqualTo(ErrorCode.BAD_USER_INPUT);
        assertThat(error.fields()).extracting(GatewayException.FieldViolation::field).containsExactly("userId");
    }

    @Test
    void id_null_isBadUserInput() {
        assertThat(catchThrowableOfType(GatewayException.class, () -> Arguments.id(null, "mediaId")).fields())
                .extracting(GatewayException.FieldViolation::field).containsExactly("mediaId");
    }

    @Test
    void first_defaultsTo20_andAllows1To50() {
        assertThat(Arguments.first(null)).isEqualTo(20);
        assertThat(Arguments.first(1)).isEqualTo(1);
        assertThat(Arguments.first(50)).isEqualTo(50);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 51, Integer.MAX_VALUE})
    void first_outsideTheRange_isBadUserInput(int first) {
        final GatewayException error = catchThrowableOfType(GatewayException.class, () -> Arguments.first(first));

        assertThat(error.code()).isEqualTo(ErrorCode.BAD_USER_INPUT);
        assertThat(error.fields()).extracting(GatewayException.FieldViolation::field).containsExactly("first");
    }
}
