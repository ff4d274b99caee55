package io.pinhole.media.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;

/** Colour checks with room for JPEG's loss. */
final class TestColors {

    private TestColors() {}

    static void isRed(Color color) {
        assertThat(color.getRed()).as("red of %s", color).isGreaterThan(200);
        assertThat(color.getGreen()).as("green of %s", color).isLessThan(60);
        assertThat(color.getBlue()).as("blue of %s", color).isLessThan(60);
    }

    static void isGreen(Color color) {
        assertThat(color.getRed()).as("red of %s", color).isLessThan(60);
        assertThat(color.getGreen()).as("green of %s", color).isGreaterThan(200);
        assertThat(color.getBlue()).as("blue of %s", color).isLessThan(60);
    }

    static void isBlue(Color color) {
        assertThat(color.getRed()).as("red of %s", color).isLessThan(60);
        assertThat(color.getGreen()).as("green of %s", color).isLessThan(60);
        assertThat(color.getBlue()).as("blue of %s", color).isGreaterThan(200);
    }

    static void isWhite(Color color) {
        assertThat(color.getRed()).as("red of %s", color).isGreaterThan(240);
        assertThat(color.getGreen()).as("green of %s", color).isGreaterThan(240);
        assertThat(color.getBlue()).as("blue of %s", color).isGreaterThan(240);
    }
}
