package io.pinhole.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.Locale;

/**
 * Captions and comments are user text: whatever they hold, parsing answers without an exception, and what it finds
 * is what the rules say — lower-case tags of at most 100 code points and usernames of at most 30 characters, each
 * once, each actually present in the text. Runs its corpus in every build; {@code JAZZER_FUZZ=1} fuzzes.
 */
class CaptionsFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void anyTextParsesIntoWellFormedTagsAndMentions(@NotNull String text) { // proto strings are never null
        final Captions.Parsed parsed = Captions.parse(text);
        final String lower = text.toLowerCase(Locale.ROOT);
        assertThat(parsed.tags()).doesNotHaveDuplicates().allSatisfy(tag -> {
            assertThat(tag.codePointCount(0, tag.length())).isBetween(1, Captions.MAX_TAG);
            assertThat(tag).isEqualTo(tag.toLowerCase(Locale.ROOT));
            assertThat(lower).contains("#" + tag);
        });
        assertThat(parsed.mentions()).doesNotHaveDuplicates().allSatisfy(name -> {
            assertThat(name).matches("[a-z0-9._]{1,30}").doesNotEndWith(".");
            assertThat(lower).contains("@" + name);
        });
    }
}
